import { and, between, count, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { daysBetween } from "../lib/dates";
import type { DailyFigures, Inventory, UsageFigures } from "./schemas";
import { agents, knowledgeBases, phoneNumbers, usageDaily, webWidgets, type UsageDailyRow } from "../db/schema";

type Counters = Omit<UsageDailyRow, "orgId" | "day">;
const ZERO: Counters = {
  voiceCalls: 0,
  voiceMs: 0,
  chatCalls: 0,
  chatMs: 0,
  inboundCalls: 0,
  outboundCalls: 0,
  workflowRunsTotal: 0,
  workflowRunsSuccess: 0,
  workflowRunsFailed: 0,
};

function add(a: Counters, b: Counters): Counters {
  const out = { ...a };
  for (const k of Object.keys(ZERO) as (keyof Counters)[]) out[k] += b[k];
  return out;
}

const minutes = (ms: number) => Math.round(ms / 600) / 100;

function figures(c: Counters): UsageFigures {
  const calls = c.voiceCalls + c.chatCalls;
  return {
    voice_minutes: minutes(c.voiceMs),
    voice_calls: c.voiceCalls,
    chat_minutes: minutes(c.chatMs),
    chat_calls: c.chatCalls,
    total_calls: calls,
    inbound_calls: c.inboundCalls,
    outbound_calls: c.outboundCalls,
    average_duration_seconds: calls === 0 ? 0 : Math.round((c.voiceMs + c.chatMs) / calls / 10) / 100,
    workflow_runs_total: c.workflowRunsTotal,
    workflow_runs_success: c.workflowRunsSuccess,
    workflow_runs_failed: c.workflowRunsFailed,
  };
}

/**
 * Totals and a daily breakdown from daily rollup rows of one org or of many (a subtree:
 * rows of the same day are added up). With `days`, every day of the window appears,
 * zero-filled, so a chart needs no gap handling.
 */
export function summarize(rows: UsageDailyRow[], days?: { fromDay: string; toDay: string }) {
  const byDay = new Map<string, Counters>();
  if (days) for (const d of daysBetween(days.fromDay, days.toDay)) byDay.set(d, ZERO);
  let total = ZERO;
  for (const r of rows) {
    byDay.set(r.day, add(byDay.get(r.day) ?? ZERO, r));
    total = add(total, r);
  }
  const daily: DailyFigures[] = [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, c]) => ({ date, ...figures(c) }));
  return { totals: figures(total), daily };
}

/** The rollup rows of some orgs for a day range (inclusive). */
export function dailyRows(db: Db, orgIds: string[], fromDay: string, toDay: string) {
  return db
    .select()
    .from(usageDaily)
    .where(and(inArray(usageDaily.orgId, orgIds), between(usageDaily.day, fromDay, toDay)));
}

/** What the orgs own now (independent of any window). */
export async function inventoryOf(db: Db, orgIds: string[]): Promise<Inventory> {
  const [a, p, w, k] = await db.batch([
    db.select({ n: count() }).from(agents).where(inArray(agents.orgId, orgIds)),
    db.select({ n: count() }).from(phoneNumbers).where(inArray(phoneNumbers.orgId, orgIds)),
    db.select({ n: count() }).from(webWidgets).where(inArray(webWidgets.orgId, orgIds)),
    db.select({ n: count() }).from(knowledgeBases).where(inArray(knowledgeBases.orgId, orgIds)),
  ]);
  return {
    agents: a[0]?.n ?? 0,
    phone_numbers: p[0]?.n ?? 0,
    web_widgets: w[0]?.n ?? 0,
    knowledge_bases: k[0]?.n ?? 0,
  };
}
