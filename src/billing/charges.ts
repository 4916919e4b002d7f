import { sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { PLAN_IDS } from "../db/schema";
import { MAX_TREE_DEPTH, payersSql } from "../db/tree";
import type { Env } from "../env";
import { PLANS } from "./plans";
import { syncPayers } from "./sync";

/** What an event is charged per started minute, at its payer's plan (`b.plan`), generated from the catalogue. */
function rateCase(): SQL {
  const int = (n: number) => String(Math.trunc(n));
  const arms = PLAN_IDS.map((id) => {
    const r = PLANS[id].rates;
    return `WHEN '${id}' THEN CASE e.kind WHEN 'voice' THEN ${int(r.voiceCentsPerMinute)} ELSE ${int(r.chatCentsPerMinute)} END`;
  });
  return sql.raw(`CASE b.plan ${arms.join(" ")} ELSE NULL END`);
}

/**
 * The metered charges of the usage about to be rolled up, for the usage consumer's batch
 * (before the statement that marks events rolled up): each voice or chat event not yet
 * rolled up becomes a `usage_charge` entry on its PAYER's account (the org itself, or the
 * nearest ancestor paying its own way), at the payer's plan rate per started minute.
 * The reference `usage:<org>:<event key>` is unique, so a redelivered message (or the same
 * batch run twice) books nothing more. An event of zero duration starts no minute and books
 * nothing. Enterprise (invoiced) is charged too; its Durable Objects never refuse for it.
 *
 * No bound parameters (drizzle's D1 batch cannot bind raw SQL): every value is ours.
 */
export function chargeStatement(db: Db, at = Date.now()): BatchItem<"sqlite"> {
  return db.run(sql`
    WITH RECURSIVE
    pending AS (
      SELECT org_id, event_key, kind, duration_ms FROM usage_events
      WHERE rolled_up = 0 AND kind IN ('voice', 'chat') AND duration_ms > 0
    ),
    chain(org_id, id, parent_id, mode, depth) AS (
      SELECT o.id, o.id, o.parent_id, o.billing_mode, 0
      FROM organizations o WHERE o.id IN (SELECT org_id FROM pending)
      UNION ALL
      SELECT chain.org_id, p.id, p.parent_id, p.billing_mode, chain.depth + 1
      FROM chain JOIN organizations p ON p.id = chain.parent_id
      WHERE chain.mode = 'parent' AND chain.depth < ${sql.raw(String(MAX_TREE_DEPTH))}
    ),
    payers AS (SELECT org_id, id AS payer_id FROM chain WHERE mode = 'own')
    INSERT INTO ledger_entries
      (id, org_id, kind, amount_cents, reference, source_org_id, usage_event_key, description, created_at)
    SELECT 'led_' || lower(hex(randomblob(10))), b.org_id, 'usage_charge',
           -((e.duration_ms + 59999) / 60000) * (${rateCase()}),
           'usage:' || e.org_id || ':' || e.event_key, e.org_id, e.event_key,
           CASE e.kind WHEN 'voice' THEN 'Voice' ELSE 'Chat' END || ', ' || ((e.duration_ms + 59999) / 60000) ||
             ' min started at ' || b.plan || ' rates',
           ${sql.raw(String(Math.trunc(at)))}
    FROM pending e
    JOIN payers ON payers.org_id = e.org_id
    JOIN billing_accounts b ON b.org_id = payers.payer_id
    WHERE true
    ON CONFLICT (reference) DO NOTHING`);
}

/** The cents one event costs at a plan (the same rule as `chargeStatement`, for tests and views). */
export function chargeCents(plan: keyof typeof PLANS, kind: "voice" | "chat", durationMs: number): number {
  const rate = kind === "voice" ? PLANS[plan].rates.voiceCentsPerMinute : PLANS[plan].rates.chatCentsPerMinute;
  return Math.ceil(Math.max(0, durationMs) / 60_000) * rate;
}

/**
 * After charges were booked for usage of `orgIds`: pushes to the Durable Objects (of every
 * org it pays for) each of their payers whose charges can change a call decision — a
 * prepaid payer now at or below zero. A charge only lowers a balance, so a payer still above
 * zero is refused nothing new, and skipping it spares one push per org per usage batch
 * (a payer's whole tree) on the busiest path; its DOs keep the last positive balance pushed
 * (top-ups, plan and mode changes push as before). Idempotent; returns the payers pushed.
 */
export async function syncPayersOf(env: Env, db: Db, orgIds: readonly string[]): Promise<string[]> {
  if (orgIds.length === 0) return [];
  const prepaid = PLAN_IDS.filter((id) => PLANS[id].prepaid);
  const rows = await db.all<{ payer_id: string }>(sql`
    WITH payers AS (${payersSql([...new Set(orgIds)])})
    SELECT DISTINCT b.org_id AS payer_id FROM payers JOIN billing_accounts b ON b.org_id = payers.payer_id
    WHERE b.balance_cents <= 0 AND b.plan IN (SELECT value FROM json_each(${JSON.stringify(prepaid)}))`);
  const payers = rows.map((r) => r.payer_id);
  await syncPayers(env, db, payers);
  return payers;
}
