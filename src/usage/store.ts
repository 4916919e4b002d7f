import type { BatchItem } from "drizzle-orm/batch";
import { makeDb, type Db } from "../db/client";
import { runBatch } from "../db/batch";
import type { CallRecordRow, UsageDailyRow, UsageEventRow } from "../db/schema";
import type { Env } from "../env";
import { dayOf } from "../lib/dates";
import { chargeStatement, syncPayersOf } from "../billing/charges";
import { rollupsSql } from "../partner/usage";
import type { UsageMessage } from "./messages";
import { callRecordOf, callRecordStatements, eventOfCall, rollupStatements } from "./rollups";
import { dailyRows } from "./summary";

/**
 * Where usage is recorded and its daily rollups read (docs/SCALING.md, "Where the usage
 * rollups go"). The usage consumer writes through `record`; the usage summaries read through
 * `daily` / `subtreeDaily`. Chosen by the `USAGE_STORE` var; "d1" (the default) is the main
 * D1 database. Every implementation counts each event exactly once however often a batch
 * is recorded (the queue redelivers), and books its metered charge exactly once.
 *
 * Not behind the seam yet: the partner console's scope=single read, which reads the org's
 * rollups in the same D1 round trip as its subtree check and charges (partner/usage-route.ts).
 */
export interface UsageStore {
  /** Records call ends and reported events, their rollups and their charges; then pushes payers at zero. */
  record(messages: UsageMessage[]): Promise<void>;
  /** The daily rollup rows of some orgs (their own usage), `fromDay`–`toDay` inclusive. */
  daily(orgIds: string[], fromDay: string, toDay: string): Promise<UsageDailyRow[]>;
  /** The daily rollups of an org and all its descendants, one row per day. */
  subtreeDaily(orgId: string, fromDay: string, toDay: string): Promise<UsageDailyRow[]>;
}

export const USAGE_STORES = ["d1"] as const;

/** The store `USAGE_STORE` names (unset: "d1"); an unknown name is a configuration error. */
export function usageStoreOf(env: Env, db: Db = makeDb(env.DB)): UsageStore {
  const name = env.USAGE_STORE ?? "d1";
  if (name === "d1") return d1UsageStore(env, db);
  throw new Error(`USAGE_STORE must be one of ${USAGE_STORES.join(", ")}; got ${name}`);
}

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
 * The main D1 database: one transaction of call records, usage events, rollups (the
 * subtree rollups by trigger) and the metered charges. Then the payers charged learn their
 * new balance (their orgs' Durable Objects refuse calls at zero); if that push fails the
 * caller retries, which books nothing more and pushes again.
 */
function d1UsageStore(env: Env, db: Db): UsageStore {
  return {
    async record(messages) {
      const { stmts, charged } = statementsOf(db, messages);
      await runBatch(db, stmts);
      await syncPayersOf(env, db, charged);
    },
    daily: (orgIds, fromDay, toDay) => dailyRows(db, orgIds, fromDay, toDay),
    subtreeDaily: (orgId, fromDay, toDay) => db.all<UsageDailyRow>(rollupsSql("subtree", orgId, fromDay, toDay)),
  };
}
