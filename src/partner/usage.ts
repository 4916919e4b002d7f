import { sql, type SQL } from "drizzle-orm";
import { isDescendantOfSql } from "../db/tree";

/**
 * Partner usage reads the daily rollups of issue 4: `usage_daily` for one org's own usage,
 * `usage_subtree_daily` for an org plus all its descendants (kept exact by the triggers of
 * migration 0005_tree_usage). Either way one primary-key range of at most 367 rows,
 * whatever the size of the tree; `summarize` (usage/summary.ts) turns them into figures.
 */
export function rollupsSql(table: "own" | "subtree", orgId: string, fromDay: string, toDay: string): SQL {
  const source = table === "own" ? sql`usage_daily` : sql`usage_subtree_daily`;
  // Aliased to the drizzle field names, so the rows are `UsageDailyRow`s.
  return sql`
    SELECT org_id AS orgId, day, voice_calls AS voiceCalls, voice_ms AS voiceMs, chat_calls AS chatCalls,
           chat_ms AS chatMs, inbound_calls AS inboundCalls, outbound_calls AS outboundCalls,
           workflow_runs_total AS workflowRunsTotal, workflow_runs_success AS workflowRunsSuccess,
           workflow_runs_failed AS workflowRunsFailed
    FROM ${source} WHERE org_id = ${orgId} AND day >= ${fromDay} AND day <= ${toDay}
    ORDER BY day`;
}

/**
 * The subtree check of a scope=single read (`hit`: 1 when `orgId` is `rootId` or below it,
 * else null) and that org's usage charges in the window, wherever they were booked (its own
 * ledger or its payer's): one row, one range of the ledger's (source_org_id, created_at) index.
 */
export function inSubtreeWithChargesSql(rootId: string, orgId: string, fromMs: number, toMs: number): SQL {
  return sql`
    SELECT (${isDescendantOfSql(rootId, orgId)}) AS hit,
           (SELECT coalesce(-sum(amount_cents), 0) FROM ledger_entries
            WHERE source_org_id = ${orgId} AND created_at >= ${fromMs} AND created_at < ${toMs}
              AND kind = 'usage_charge') AS charges_cents`;
}
