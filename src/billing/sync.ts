import { sql, type Column, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { billingAccounts, organizations, type BillingAccountRow } from "../db/schema";
import { paidByAll, payerOf } from "../db/tree";
import type { Env } from "../env";
import { forgetOrg } from "../auth/cache";
import { concurrencyOf } from "../calls/client";
import type { Spending } from "../calls/concurrency-object";
import { planOf } from "./plans";

/** `column IN ids` with one bound parameter (D1 binds at most 100 per statement; a payer may pay for thousands). */
const inJson = (column: Column, ids: readonly string[]): SQL =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/** The concurrency limit a payer's plan grants (enterprise: the operator's, when set). */
export function planLimitOf(account: Pick<BillingAccountRow, "plan" | "concurrencyOverride">): number {
  const plan = planOf(account.plan);
  return plan.id === "enterprise" ? (account.concurrencyOverride ?? plan.concurrencyLimit) : plan.concurrencyLimit;
}

/**
 * What the orgs a payer pays for may spend: the call path's only view of the money.
 * `readAt` (taken before the account was read) orders pushes: of two syncs racing, the one
 * that read later wins in the Durable Object, whichever arrives first.
 */
export function spendingOf(account: BillingAccountRow, readAt: number): Spending {
  const plan = planOf(account.plan);
  return {
    prepaid: plan.prepaid,
    balanceCents: account.balanceCents,
    version: readAt,
    // Only the free plan ends with its trial.
    trialEndsAt: plan.id === "free" ? account.trialEndsAt : null,
  };
}

/**
 * Pushes a payer's plan and balance to the Durable Object of every org it pays for (its
 * limit: the plan's, or a partner's lower cap), and mirrors plan and limit on the org
 * rows. Idempotent: it sends absolute values, and a Durable Object keeps the newest push.
 * Called after every change of a ledger, plan or billing mode (the billing queue, the
 * usage consumer, provisioning).
 */
export async function syncPayer(env: Env, db: Db, payerId: string): Promise<void> {
  await syncPayers(env, db, [payerId]);
}

/**
 * `syncPayer` for several payers at once (the usage consumer, after a batch charged many):
 * two reads whatever their number, one push per org, and one batch writing only the org
 * rows whose mirrored plan or limit changed.
 */
export async function syncPayers(env: Env, db: Db, payerIds: readonly string[]): Promise<void> {
  const ids = [...new Set(payerIds)];
  if (ids.length === 0) return;
  const readAt = Date.now();
  const [accounts, orgs] = await Promise.all([
    db.select().from(billingAccounts).where(inJson(billingAccounts.orgId, ids)),
    paidByAll(db, ids),
  ]);
  const byPayer = new Map(
    accounts.map((a) => [a.orgId, { account: a, planLimit: planLimitOf(a), spending: spendingOf(a, readAt) }]),
  );
  const changed = new Map<string, string[]>();
  const pushes: Promise<unknown>[] = [];
  for (const o of orgs) {
    const payer = byPayer.get(o.payer_id);
    if (!payer) continue;
    const limit = o.concurrency_cap === null ? payer.planLimit : Math.min(o.concurrency_cap, payer.planLimit);
    pushes.push(concurrencyOf(env, o.id).configure(o.id, limit, payer.spending));
    if (o.plan !== payer.account.plan || o.concurrency_limit !== limit) {
      const key = JSON.stringify([payer.account.plan, limit]);
      changed.set(key, [...(changed.get(key) ?? []), o.id]);
    }
  }
  await Promise.all(pushes);
  const now = Date.now();
  const updates = [...changed].map(([key, orgIds]) => {
    const [plan, limit] = JSON.parse(key) as [BillingAccountRow["plan"], number];
    return db
      .update(organizations)
      .set({ plan, concurrencyLimit: limit, updatedAt: now })
      .where(inJson(organizations.id, orgIds));
  });
  const [first, ...rest] = updates;
  if (first) await db.batch([first, ...rest]);
  for (const orgIds of changed.values()) for (const id of orgIds) forgetOrg({ id });
}

/** `syncPayer` for whoever pays for this org. */
export async function syncOrg(env: Env, db: Db, orgId: string): Promise<void> {
  const payer = await payerOf(db, orgId);
  if (payer) await syncPayer(env, db, payer);
}
