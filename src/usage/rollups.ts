import { eq, getTableColumns, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { callRecords, usageEvents, type CallRecordRow, type UsageEventRow } from "../db/schema";
import { dayOf } from "../lib/dates";
import type { EndedCall } from "./messages";

/**
 * D1 binds at most 100 parameters per statement, and drizzle binds every column of a
 * row (defaults included): rows per multi-row insert = 100 / columns.
 */
const rowsPerInsert = (table: typeof callRecords | typeof usageEvents) =>
  Math.floor(100 / Object.keys(getTableColumns(table)).length);
const chunk = <T>(rows: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
};

export function callRecordOf(orgId: string, c: EndedCall): CallRecordRow {
  return {
    id: c.id,
    orgId,
    channel: c.channel,
    direction: c.direction,
    agentId: c.agentId,
    startedAt: c.startedAt,
    endedAt: c.endedAt,
    durationMs: Math.max(0, c.endedAt - c.startedAt),
    endReason: c.endReason,
  };
}

/** A finished call as a metered event; its key makes a redelivered call count once. */
export function eventOfCall(orgId: string, c: EndedCall): UsageEventRow {
  return {
    orgId,
    eventKey: `call:${c.id}`,
    kind: c.channel,
    direction: c.direction,
    outcome: null,
    durationMs: Math.max(0, c.endedAt - c.startedAt),
    occurredAt: c.endedAt,
    day: dayOf(c.endedAt),
  };
}

/** Inserts call records (ignoring ones already written), within the bound-parameter limit. */
export function callRecordStatements(db: Db, records: CallRecordRow[]): BatchItem<"sqlite">[] {
  return chunk(records, rowsPerInsert(callRecords)).map((rows) =>
    db.insert(callRecords).values(rows).onConflictDoNothing(),
  );
}

/**
 * The statements that record usage events and fold them into `usage_daily`, for one D1
 * batch (a transaction). Events already recorded are ignored by their key; the rollup
 * adds only events not yet rolled up and marks them, so running the same batch twice —
 * or two consumers at once — counts every event exactly once. Reusable by any writer
 * (the partner console sums these rollups over a subtree). `beforeMark` runs after the
 * events are inserted and before they are marked rolled up, so it sees exactly the events
 * this batch folds in (`WHERE rolled_up = 0`): the usage consumer's metered charges.
 */
export function rollupStatements(
  db: Db,
  events: UsageEventRow[],
  beforeMark: BatchItem<"sqlite">[] = [],
): BatchItem<"sqlite">[] {
  if (events.length === 0) return [];
  const rows = events.map((e) => ({ ...e, rolledUp: 0 }));
  const stmts: BatchItem<"sqlite">[] = chunk(rows, rowsPerInsert(usageEvents)).map((part) =>
    db.insert(usageEvents).values(part).onConflictDoNothing(),
  );
  stmts.push(
    db.run(sql`
      INSERT INTO usage_daily (org_id, day, voice_calls, voice_ms, chat_calls, chat_ms, inbound_calls, outbound_calls,
                               workflow_runs_total, workflow_runs_success, workflow_runs_failed)
      SELECT org_id, day,
        sum(kind = 'voice'), sum(CASE WHEN kind = 'voice' THEN duration_ms ELSE 0 END),
        sum(kind = 'chat'), sum(CASE WHEN kind = 'chat' THEN duration_ms ELSE 0 END),
        sum(kind <> 'workflow_run' AND direction = 'inbound'), sum(kind <> 'workflow_run' AND direction = 'outbound'),
        sum(kind = 'workflow_run'), sum(kind = 'workflow_run' AND outcome = 'success'), sum(kind = 'workflow_run' AND outcome = 'failed')
      FROM usage_events WHERE rolled_up = 0
      GROUP BY org_id, day
      ON CONFLICT (org_id, day) DO UPDATE SET
        voice_calls = voice_calls + excluded.voice_calls, voice_ms = voice_ms + excluded.voice_ms,
        chat_calls = chat_calls + excluded.chat_calls, chat_ms = chat_ms + excluded.chat_ms,
        inbound_calls = inbound_calls + excluded.inbound_calls, outbound_calls = outbound_calls + excluded.outbound_calls,
        workflow_runs_total = workflow_runs_total + excluded.workflow_runs_total,
        workflow_runs_success = workflow_runs_success + excluded.workflow_runs_success,
        workflow_runs_failed = workflow_runs_failed + excluded.workflow_runs_failed`),
  );
  stmts.push(...beforeMark);
  stmts.push(db.update(usageEvents).set({ rolledUp: 1 }).where(eq(usageEvents.rolledUp, 0)));
  return stmts;
}
