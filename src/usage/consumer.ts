import type { BatchItem } from "drizzle-orm/batch";
import { makeDb, type Db } from "../db/client";
import { runBatch } from "../db/batch";
import type { Env } from "../env";
import { backoffSeconds } from "../lib/backoff";
import type { CallRecordRow, UsageEventRow } from "../db/schema";
import type { UsageMessage } from "./messages";
import { dayOf } from "../lib/dates";
import { chargeStatement, syncPayersOf } from "../billing/charges";
import { callRecordOf, callRecordStatements, eventOfCall, rollupStatements } from "./rollups";

function statementsOf(db: Db, messages: UsageMessage[]): { stmts: BatchItem<"sqlite">[]; charged: string[] } {
  const records: CallRecordRow[] = [];
  const events: UsageEventRow[] = [];
  for (const m of messages) {
    if (m.type === "calls_ended") {
      for (const c of m.calls) {
        records.push(callRecordOf(m.orgId, c));
        events.push(eventOfCall(m.orgId, c));
      }
    } else {
      for (const e of m.events) {
        events.push({
          orgId: m.orgId,
          // Client keys live in their own namespace so they can never shadow a call's key.
          eventKey: `ext:${e.key}`,
          kind: e.kind,
          direction: e.kind === "chat" ? e.direction : null,
          outcome: e.kind === "workflow_run" ? e.outcome : null,
          durationMs: e.kind === "chat" ? e.durationMs : 0,
          occurredAt: e.occurredAt,
          day: dayOf(e.occurredAt),
        });
      }
    }
  }
  // The charges of the events this batch rolls up go in the same transaction (billing/charges.ts).
  const charged = [...new Set(events.filter((e) => e.kind !== "workflow_run").map((e) => e.orgId))];
  const charges = charged.length > 0 ? [chargeStatement(db)] : [];
  return { stmts: [...callRecordStatements(db, records), ...rollupStatements(db, events, charges)], charged };
}

/**
 * One transaction: call records, usage events, rollups and the metered charges. Then the
 * payers charged learn their new balance (their orgs' Durable Objects refuse calls at zero);
 * if that push fails the message is retried, which books nothing more and pushes again.
 */
async function write(env: Env, db: Db, messages: UsageMessage[]): Promise<void> {
  const { stmts, charged } = statementsOf(db, messages);
  await runBatch(db, stmts);
  await syncPayersOf(env, db, charged);
}

/**
 * Consumer of the `usage` queue: the whole batch goes to D1 in one transaction (a few
 * multi-row inserts and one rollup). If that fails, each message is tried alone so one
 * bad message (its org was deleted) cannot hold back the others; it alone is retried
 * and eventually dead-lettered. Redelivery is harmless: events and their charges are keyed.
 */
export async function consumeUsage(batch: MessageBatch<UsageMessage>, env: Env): Promise<void> {
  const db = makeDb(env.DB);
  try {
    await write(
      env,
      db,
      batch.messages.map((m) => m.body),
    );
    batch.ackAll();
    return;
  } catch (err) {
    if (batch.messages.length === 1) {
      console.error(JSON.stringify({ level: "error", queue: "usage", message: String(err) }));
    }
  }
  for (const msg of batch.messages) {
    try {
      await write(env, db, [msg.body]);
      msg.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", queue: "usage", org_id: msg.body.orgId, message: String(err) }));
      msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
    }
  }
}

/** Dead letters: usage that could not be recorded (e.g. its org is gone). Logged for an operator. */
export async function consumeUsageDeadLetters(batch: MessageBatch<UsageMessage>): Promise<void> {
  for (const msg of batch.messages) {
    console.error(JSON.stringify({ level: "error", queue: "usage-dlq", org_id: msg.body.orgId, type: msg.body.type }));
    msg.ack();
  }
}
