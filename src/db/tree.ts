import { sql } from "drizzle-orm";
import type { Db } from "./client";

/**
 * The organization tree. `organizations.parent_id` is the truth and recursive CTEs over it
 * describe and check the tree; `org_tree` (migration 0004) is a materialized path kept by
 * triggers in the same statement as each insert, used where walking the subtree would cost
 * as much as the subtree (descendant search). parent_id never changes (a trigger refuses
 * it), so the tree can have no cycle; every walk is still bounded by MAX_TREE_DEPTH.
 */

/** Deepest tree the queries follow; a guard against cycles and runaway recursion. */
export const MAX_TREE_DEPTH = 64;

/** The breadcrumb separator of seed 004. */
export const PATH_SEPARATOR = " › ";

/**
 * True when `targetId` is `ancestorId` or lies beneath it. Walks UP from the target,
 * so the cost grows with the target's depth, never with the size of the tree.
 */
export async function isDescendantOf(db: Db, ancestorId: string, targetId: string): Promise<boolean> {
  if (ancestorId === targetId) return true;
  const rows = await db.all<{ hit: number }>(sql`
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM organizations WHERE id = ${targetId}
      UNION ALL
      SELECT o.id, o.parent_id, up.depth + 1
      FROM organizations o JOIN up ON o.id = up.parent_id
      WHERE up.depth < ${MAX_TREE_DEPTH} AND up.id <> ${ancestorId}
    )
    SELECT 1 AS hit FROM up WHERE id = ${ancestorId} LIMIT 1`);
  return rows.length > 0;
}

/**
 * The slugs from `rootId` down to each of `ids` (walking up from each id, stopping at the
 * root). An id that is not `rootId` or beneath it gets no entry: the same walk is the
 * subtree check.
 */
export async function breadcrumbsOf(db: Db, rootId: string, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await db.all<{ hit: string; id: string; slug: string; lvl: number }>(sql`
    WITH RECURSIVE up(hit, id, parent_id, slug, lvl) AS (
      SELECT o.id, o.id, o.parent_id, o.slug, 0
      FROM organizations o WHERE o.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
      UNION ALL
      SELECT up.hit, p.id, p.parent_id, p.slug, up.lvl + 1
      FROM up JOIN organizations p ON p.id = up.parent_id
      WHERE up.id <> ${rootId} AND up.lvl < ${MAX_TREE_DEPTH}
    )
    SELECT hit, id, slug, lvl FROM up ORDER BY hit, lvl DESC`);
  // Rows of one hit arrive top-first: the first says where its walk stopped.
  const chains = new Map<string, { top: string; slugs: string[] }>();
  for (const r of rows) {
    const chain = chains.get(r.hit);
    if (chain) chain.slugs.push(r.slug);
    else chains.set(r.hit, { top: r.id, slugs: [r.slug] });
  }
  for (const [hit, chain] of chains) if (chain.top === rootId) out.set(hit, chain.slugs);
  return out;
}

/** The slugs from `rootId` down to `id`, or null when `id` is not in `rootId`'s subtree. */
export async function breadcrumbOf(db: Db, rootId: string, id: string): Promise<string[] | null> {
  return (await breadcrumbsOf(db, rootId, [id])).get(id) ?? null;
}

export type TreeNode = {
  id: string;
  slug: string;
  domain: string | null;
  domain_setup_status: string;
  parent_id: string | null;
};

/**
 * One page of the direct children of `parentId` in id (creation) order, each with
 * `has_children` so a console can expand rows lazily. Served by the (parent_id, id) index.
 */
export async function childrenOf(
  db: Db,
  parentId: string,
  page: { limit: number; afterId?: string | null },
): Promise<(TreeNode & { has_children: boolean })[]> {
  const rows = await db.all<TreeNode & { has_children: number }>(sql`
    SELECT o.id, o.slug, o.domain, o.domain_setup_status, o.parent_id,
           EXISTS (SELECT 1 FROM organizations c WHERE c.parent_id = o.id) AS has_children
    FROM organizations o
    WHERE o.parent_id = ${parentId} AND o.id > ${page.afterId ?? ""}
    ORDER BY o.id
    LIMIT ${page.limit}`);
  return rows.map((r) => ({ ...r, has_children: r.has_children === 1 }));
}

export type SearchHit = Omit<TreeNode, "domain_setup_status"> & {
  /** 1 for a direct child of the search root. */
  depth: number;
  /** Slugs from the search root down to the hit, joined with ` › `. */
  path: string;
  /** Position in the root's subtree (path relative to the root); the pagination key. */
  position: string;
};

/**
 * Descendants of `rootId` (not the root itself) whose slug or id contains `q`
 * (case-insensitive), in tree (pre-)order. One range scan of `org_tree`'s primary key
 * bounded to the root's subtree, stopping after `limit` hits; `after` is the `position`
 * of the previous page's last hit.
 */
export async function searchDescendants(
  db: Db,
  rootId: string,
  q: string,
  page: { limit: number; after?: string | null },
): Promise<SearchHit[]> {
  const needle = q.toLowerCase();
  const rows = await db.all<{ rel: string; id: string; slug: string; domain: string | null; parent_id: string | null }>(sql`
    WITH root AS (SELECT path FROM org_tree WHERE org_id = ${rootId})
    SELECT substr(t.path, length(root.path) + 1) AS rel, o.id, o.slug, o.domain, o.parent_id
    FROM root
    JOIN org_tree t
      ON t.path > root.path || ${page.after ?? ""}
     AND t.path < substr(root.path, 1, length(root.path) - 1) || '0'
    JOIN organizations o ON o.id = t.org_id
    WHERE instr(t.slug, ${needle}) > 0 OR instr(t.org_id, ${needle}) > 0
    ORDER BY t.path
    LIMIT ${page.limit}`);
  const crumbs = await breadcrumbsOf(
    db,
    rootId,
    rows.map((r) => r.id),
  );
  return rows.flatMap((r) => {
    const slugs = crumbs.get(r.id);
    // A hit the walk up cannot connect to the root would be a corrupt index: never show it.
    if (!slugs) return [];
    return [{ id: r.id, slug: r.slug, domain: r.domain, parent_id: r.parent_id, depth: slugs.length - 1, path: slugs.join(PATH_SEPARATOR), position: r.rel }];
  });
}
