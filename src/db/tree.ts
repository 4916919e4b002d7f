import { sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";

/**
 * The organization tree. `organizations.parent_id` is the truth and recursive CTEs over it
 * describe and check the tree; `org_tree` (migration 0004) is a materialized path kept by
 * triggers in the same statement as each insert, used where walking the subtree would cost
 * as much as the subtree (descendant search). parent_id never changes (a trigger refuses
 * it), so the tree can have no cycle; every walk is still bounded by MAX_TREE_DEPTH.
 *
 * Each query also has a `…Sql` form, so a route can send the subtree check and its read in
 * one round trip (db/one-trip.ts).
 */

/** Deepest tree the queries follow; a guard against cycles and runaway recursion. */
export const MAX_TREE_DEPTH = 64;

/** The breadcrumb separator of seed 004. */
export const PATH_SEPARATOR = " › ";

/** One row (`hit`) when the target is in the subtree, none otherwise. */
export function isDescendantOfSql(ancestorId: string, targetId: string): SQL {
  return sql`
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM organizations WHERE id = ${targetId}
      UNION ALL
      SELECT o.id, o.parent_id, up.depth + 1
      FROM organizations o JOIN up ON o.id = up.parent_id
      WHERE up.depth < ${MAX_TREE_DEPTH} AND up.id <> ${ancestorId}
    )
    SELECT 1 AS hit FROM up WHERE id = ${ancestorId} LIMIT 1`;
}

/**
 * True when `targetId` is `ancestorId` or lies beneath it. Walks UP from the target,
 * so the cost grows with the target's depth, never with the size of the tree.
 */
export async function isDescendantOf(db: Db, ancestorId: string, targetId: string): Promise<boolean> {
  if (ancestorId === targetId) return true;
  return (await db.all<{ hit: number }>(isDescendantOfSql(ancestorId, targetId))).length > 0;
}

/** The walk up from each id `anchor` selects, stopping at `rootId`: breadcrumbs and the subtree check. */
const walkUp = (anchor: SQL, rootId: string) => sql`
  up(hit, id, parent_id, slug, lvl) AS (
    SELECT o.id, o.id, o.parent_id, o.slug, 0 FROM organizations o WHERE o.id IN (${anchor})
    UNION ALL
    SELECT up.hit, p.id, p.parent_id, p.slug, up.lvl + 1
    FROM up JOIN organizations p ON p.id = up.parent_id
    WHERE up.id <> ${rootId} AND up.lvl < ${MAX_TREE_DEPTH}
  )`;

export type WalkRow = { hit: string; id: string; slug: string };

/** `WalkRow`s of each id, top-first; see `chainsOf`. */
export function breadcrumbsSql(rootId: string, ids: readonly string[]): SQL {
  return sql`
    WITH RECURSIVE ${walkUp(sql`SELECT value FROM json_each(${JSON.stringify(ids)})`, rootId)}
    SELECT hit, id, slug FROM up ORDER BY hit, lvl DESC`;
}

/** Walk rows (each hit's rows top-first) → slugs per hit, for hits whose walk reached the root. */
export function chainsOf(rows: readonly WalkRow[], rootId: string): Map<string, string[]> {
  const chains = new Map<string, { top: string; slugs: string[] }>();
  for (const r of rows) {
    const chain = chains.get(r.hit);
    if (chain) chain.slugs.push(r.slug);
    else chains.set(r.hit, { top: r.id, slugs: [r.slug] });
  }
  const out = new Map<string, string[]>();
  for (const [hit, chain] of chains) if (chain.top === rootId) out.set(hit, chain.slugs);
  return out;
}

/**
 * The slugs from `rootId` down to each of `ids` (walking up from each id, stopping at the
 * root). An id that is not `rootId` or beneath it gets no entry: the same walk is the
 * subtree check.
 */
export async function breadcrumbsOf(db: Db, rootId: string, ids: readonly string[]): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  return chainsOf(await db.all<WalkRow>(breadcrumbsSql(rootId, ids)), rootId);
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
export type ChildRow = TreeNode & { has_children: boolean };
export type RawChildRow = TreeNode & { has_children: number };

/** Direct children of `parentId` after `afterId`, in id order; served by the (parent_id, id) index. */
export function childrenSql(parentId: string, page: { limit: number; afterId?: string | null }): SQL {
  return sql`
    SELECT o.id, o.slug, o.domain, o.domain_setup_status, o.parent_id,
           EXISTS (SELECT 1 FROM organizations c WHERE c.parent_id = o.id) AS has_children
    FROM organizations o
    WHERE o.parent_id = ${parentId} AND o.id > ${page.afterId ?? ""}
    ORDER BY o.id
    LIMIT ${page.limit}`;
}

export const toChildRows = (rows: readonly RawChildRow[]): ChildRow[] =>
  rows.map((r) => ({ ...r, has_children: r.has_children === 1 }));

/**
 * One page of the direct children of `parentId` in id (creation) order, each with
 * `has_children` so a console can expand rows lazily.
 */
export async function childrenOf(
  db: Db,
  parentId: string,
  page: { limit: number; afterId?: string | null },
): Promise<ChildRow[]> {
  return toChildRows(await db.all<RawChildRow>(childrenSql(parentId, page)));
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
 * (case-insensitive), in tree (pre-)order, each with its breadcrumb. One statement: a range
 * scan of `org_tree`'s primary key bounded to the root's subtree that stops after `limit`
 * hits, then the same walk up as `breadcrumbsOf` from those hits. `after` is the
 * `position` of the previous page's last hit.
 */
export async function searchDescendants(
  db: Db,
  rootId: string,
  q: string,
  page: { limit: number; after?: string | null },
): Promise<SearchHit[]> {
  // Slugs (a CHECK) and ids are lowercase, so lowering the needle makes the match case-blind.
  const needle = q.toLowerCase();
  const rows = await db.all<WalkRow & { rel: string; domain: string | null; parent_id: string | null }>(sql`
    WITH RECURSIVE
    root AS (SELECT path FROM org_tree WHERE org_id = ${rootId}),
    hits AS MATERIALIZED (
      SELECT t.org_id, substr(t.path, length(root.path) + 1) AS rel
      FROM root JOIN org_tree t
        ON t.path > root.path || ${page.after ?? ""}
       AND t.path < substr(root.path, 1, length(root.path) - 1) || '0'
      WHERE instr(t.slug, ${needle}) > 0 OR instr(t.org_id, ${needle}) > 0
      ORDER BY t.path
      LIMIT ${page.limit}
    ),
    ${walkUp(sql`SELECT org_id FROM hits`, rootId)}
    SELECT h.rel, up.hit, up.id, up.slug, o.domain, o.parent_id
    FROM up JOIN hits h ON h.org_id = up.hit JOIN organizations o ON o.id = up.hit
    ORDER BY h.rel, up.lvl DESC`);
  const chains = chainsOf(rows, rootId);
  const hits: SearchHit[] = [];
  for (const r of rows) {
    const slugs = chains.get(r.hit);
    // One entry per hit (its first row); a hit whose walk misses the root would mean a
    // corrupt index: never show it.
    const slug = slugs?.at(-1);
    if (!slugs || slug === undefined || hits.at(-1)?.id === r.hit) continue;
    hits.push({
      id: r.hit,
      slug,
      domain: r.domain,
      parent_id: r.parent_id,
      depth: slugs.length - 1,
      path: slugs.join(PATH_SEPARATOR),
      position: r.rel,
    });
  }
  return hits;
}

/**
 * The payer of each org: the org itself when it pays its own way (`billing_mode = 'own'`),
 * else its nearest ancestor that does. A top-level org always pays its own way (a trigger
 * of migration 0009), so every walk ends at a payer.
 */
export function payersSql(ids: readonly string[]): SQL {
  return sql`
    WITH RECURSIVE chain(org_id, id, parent_id, mode, depth) AS (
      SELECT o.id, o.id, o.parent_id, o.billing_mode, 0
      FROM organizations o WHERE o.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
      UNION ALL
      SELECT chain.org_id, p.id, p.parent_id, p.billing_mode, chain.depth + 1
      FROM chain JOIN organizations p ON p.id = chain.parent_id
      WHERE chain.mode = 'parent' AND chain.depth < ${MAX_TREE_DEPTH}
    )
    SELECT org_id, id AS payer_id FROM chain WHERE mode = 'own'`;
}

export async function payerOf(db: Db, orgId: string): Promise<string | null> {
  return (await db.all<{ org_id: string; payer_id: string }>(payersSql([orgId])))[0]?.payer_id ?? null;
}

/** The orgs a payer pays for: itself and every descendant reaching it through `billing_mode = 'parent'`. */
export async function paidBy(db: Db, payerId: string): Promise<{ id: string; concurrency_cap: number | null }[]> {
  return db.all(sql`
    WITH RECURSIVE down(id, concurrency_cap, depth) AS (
      SELECT id, concurrency_cap, 0 FROM organizations WHERE id = ${payerId}
      UNION ALL
      SELECT c.id, c.concurrency_cap, down.depth + 1
      FROM organizations c JOIN down ON c.parent_id = down.id
      WHERE c.billing_mode = 'parent' AND down.depth < ${MAX_TREE_DEPTH}
    )
    SELECT id, concurrency_cap FROM down`);
}

/** Whether the org or one of its ancestors is itself on one of `plans` (its own billing account's plan). */
export async function selfOrAncestorOnPlan(db: Db, orgId: string, plans: readonly string[]): Promise<boolean> {
  const rows = await db.all<{ hit: number }>(sql`
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM organizations WHERE id = ${orgId}
      UNION ALL
      SELECT o.id, o.parent_id, up.depth + 1 FROM organizations o JOIN up ON o.id = up.parent_id
      WHERE up.depth < ${MAX_TREE_DEPTH}
    )
    SELECT 1 AS hit FROM up JOIN billing_accounts b ON b.org_id = up.id
    WHERE b.plan IN (SELECT value FROM json_each(${JSON.stringify(plans)})) LIMIT 1`);
  return rows.length > 0;
}

export type PaidRow = {
  payer_id: string;
  id: string;
  concurrency_cap: number | null;
  /** The org row's mirrors of what billing last decided (billing/sync.ts). */
  plan: string;
  concurrency_limit: number;
};

/** `paidBy` for several payers in one statement (their sets are disjoint: a payer pays its own way). */
export async function paidByAll(db: Db, payerIds: readonly string[]): Promise<PaidRow[]> {
  if (payerIds.length === 0) return [];
  return db.all<PaidRow>(sql`
    WITH RECURSIVE down(payer_id, id, concurrency_cap, plan, concurrency_limit, depth) AS (
      SELECT id, id, concurrency_cap, plan, concurrency_limit, 0 FROM organizations
      WHERE id IN (SELECT value FROM json_each(${JSON.stringify(payerIds)}))
      UNION ALL
      SELECT down.payer_id, c.id, c.concurrency_cap, c.plan, c.concurrency_limit, down.depth + 1
      FROM organizations c JOIN down ON c.parent_id = down.id
      WHERE c.billing_mode = 'parent' AND down.depth < ${MAX_TREE_DEPTH}
    )
    SELECT payer_id, id, concurrency_cap, plan, concurrency_limit FROM down`);
}
