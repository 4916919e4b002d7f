import { sql, type SQL } from "drizzle-orm";

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
