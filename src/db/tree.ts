import { sql } from "drizzle-orm";
import type { Db } from "./client";

/** Deepest tree the queries follow; a guard against cycles and runaway recursion. */
export const MAX_TREE_DEPTH = 64;

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
      WHERE up.depth < ${MAX_TREE_DEPTH}
    )
    SELECT 1 AS hit FROM up WHERE id = ${ancestorId} LIMIT 1`);
  return rows.length > 0;
}
