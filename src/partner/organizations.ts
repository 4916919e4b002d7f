import type { Db } from "../db/client";
import { findOrg } from "../auth/org-lookup";
import { readInOneTrip } from "../db/one-trip";
import {
  breadcrumbOf,
  childrenSql,
  isDescendantOfSql,
  PATH_SEPARATOR,
  searchDescendants,
  toChildRows,
  type RawChildRow,
} from "../db/tree";
import { AppError } from "../lib/errors";
import { cursorKey, paginate } from "../lib/pagination";
import { toOrganizationView } from "../orgs/view";
import type { ChildView, ListChildrenInput, SearchInput } from "./schemas";
import { orgNotFound } from "./subtree";

/**
 * The partner console's reads of the tree below `root`, the caller's org (subtree.ts
 * `partnerRoot`). Anything outside that subtree is a 404 like a nonexistent id.
 */

/** A cursor this console made: one string matching `re`, else a 400 (never a silent first page). */
function cursorValue(cursor: string | undefined, re: RegExp): string | null {
  if (!cursor) return null;
  const v = cursorKey(cursor);
  if (typeof v !== "string" || !re.test(v)) {
    throw new AppError("validation_failed", "Invalid cursor.", {
      errors: [{ field: "cursor", message: "Pass next_cursor unchanged" }],
    });
  }
  return v;
}

/** One page of the direct children of `parent_id` (default: the root), in id order. */
export async function listChildren(db: Db, root: string, q: ListChildrenInput) {
  const parentId = q.parent_id ?? root;
  const afterId = cursorValue(q.cursor, /^[a-z0-9_]+$/);
  // The subtree check and the read in one round trip; the rows are dropped unless it passes.
  const [inTree, rows] = await readInOneTrip<{ hit: number }, RawChildRow>(
    db,
    isDescendantOfSql(root, parentId),
    childrenSql(parentId, { limit: q.limit + 1, afterId }),
  );
  if (inTree.length === 0) throw orgNotFound();
  const page = paginate(rows, q.limit, (r) => [r.id]);
  return { data: toChildRows(page.data), next_cursor: page.next_cursor };
}

/** One page of the root's descendants matching `q`, in tree order, each with its breadcrumb. */
export async function searchSubtree(db: Db, root: string, q: SearchInput) {
  const after = cursorValue(q.cursor, /^[a-z0-9_/]+$/);
  const hits = await searchDescendants(db, root, q.q, { limit: q.limit + 1, after });
  const page = paginate(hits, q.limit, (h) => [h.position]);
  return { data: page.data.map(({ position: _position, ...hit }) => hit), next_cursor: page.next_cursor };
}

/** One org of the subtree with its breadcrumb from the root. */
export async function viewChild(db: Db, root: string, childId: string): Promise<ChildView> {
  // The walk up from the target is both the subtree check and the breadcrumb; it only
  // passes for an org id, and the org row is then usually in the per-isolate cache.
  const slugs = await breadcrumbOf(db, root, childId);
  const row = slugs ? await findOrg(db, childId) : null;
  if (!slugs || !row) throw orgNotFound();
  return { ...toOrganizationView(row), depth: slugs.length - 1, path: slugs.join(PATH_SEPARATOR) };
}
