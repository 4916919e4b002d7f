import { sql, type SQL } from "drizzle-orm";

/**
 * Partner usage over a window, read from daily rollups: `usage_daily` (one org's own
 * usage) or `usage_subtree_daily` (an org plus all its descendants, kept exact by the
 * triggers of migration 0004_tree_usage). Either way it is one primary-key range of at most
 * 367 rows, whatever the size of the tree.
 *
 * ISSUE-4 SEAM: the rollup columns and `summarize` are this issue's minimal stand-ins for
 * issue 4's `usage_daily` and `summarize(rows)`; once those land, map their rows here.
 */
export const USAGE_METRICS = ["voice_calls", "voice_seconds", "chat_calls", "chat_seconds", "inbound_calls", "outbound_calls"] as const;
export type UsageRollup = { day: string } & Record<(typeof USAGE_METRICS)[number], number>;

export type UsageTotals = {
  voice_calls: number;
  voice_minutes: number;
  chat_calls: number;
  chat_minutes: number;
  total_calls: number;
  inbound_calls: number;
  outbound_calls: number;
  average_duration_seconds: number;
};

/** Rollup days a window touches: every UTC day overlapping [from, to). */
export function daysOfWindow(from: Date, to: Date): { first: string; last: string } {
  return { first: from.toISOString().slice(0, 10), last: new Date(to.getTime() - 1).toISOString().slice(0, 10) };
}

/** The `UsageRollup` rows of a window, oldest day first. */
export function rollupsSql(table: "own" | "subtree", orgId: string, from: Date, to: Date): SQL {
  const { first, last } = daysOfWindow(from, to);
  const source = table === "own" ? sql`usage_daily` : sql`usage_subtree_daily`;
  return sql`
    SELECT day, voice_calls, voice_seconds, chat_calls, chat_seconds, inbound_calls, outbound_calls
    FROM ${source} WHERE org_id = ${orgId} AND day >= ${first} AND day <= ${last}
    ORDER BY day`;
}

const minutes = (seconds: number) => Math.round((seconds / 60) * 100) / 100;

function totalsOf(r: Omit<UsageRollup, "day">): UsageTotals {
  const calls = r.voice_calls + r.chat_calls;
  return {
    voice_calls: r.voice_calls,
    voice_minutes: minutes(r.voice_seconds),
    chat_calls: r.chat_calls,
    chat_minutes: minutes(r.chat_seconds),
    total_calls: calls,
    inbound_calls: r.inbound_calls,
    outbound_calls: r.outbound_calls,
    average_duration_seconds: calls === 0 ? 0 : Math.round(((r.voice_seconds + r.chat_seconds) / calls) * 100) / 100,
  };
}

/** Totals over the window and the daily breakdown (days without usage are absent). */
export function summarize(rows: readonly UsageRollup[]): { totals: UsageTotals; daily: (UsageTotals & { day: string })[] } {
  const sum = { voice_calls: 0, voice_seconds: 0, chat_calls: 0, chat_seconds: 0, inbound_calls: 0, outbound_calls: 0 };
  for (const r of rows) for (const m of USAGE_METRICS) sum[m] += r[m];
  return { totals: totalsOf(sum), daily: rows.map((r) => ({ day: r.day, ...totalsOf(r) })) };
}
