import { inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations, type BillingAccountRow } from "../db/schema";
import { paidBy, payerOf } from "../db/tree";
import type { Env } from "../env";
import { forgetOrg } from "../auth/cache";
import { concurrencyOf } from "../calls/client";
import type { Spending } from "../calls/concurrency-object";
import { accountOf } from "./ledger";
import { planOf } from "./plans";

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
  const readAt = Date.now();
  const account = await accountOf(db, payerId);
  if (!account) return;
  const planLimit = planLimitOf(account);
  const spending = spendingOf(account, readAt);
  const orgs = await paidBy(db, payerId);
  const limitOf = (cap: number | null) => (cap === null ? planLimit : Math.min(cap, planLimit));
  await Promise.all(orgs.map((o) => concurrencyOf(env, o.id).configure(o.id, limitOf(o.concurrency_cap), spending)));
  const byLimit = new Map<number, string[]>();
  for (const o of orgs) {
    const limit = limitOf(o.concurrency_cap);
    byLimit.set(limit, [...(byLimit.get(limit) ?? []), o.id]);
  }
  const now = Date.now();
  const updates = [...byLimit].map(([limit, ids]) =>
    db
      .update(organizations)
      .set({ plan: account.plan, concurrencyLimit: limit, updatedAt: now })
      .where(inArray(organizations.id, ids)),
  );
  const [first, ...rest] = updates;
  if (first) await db.batch([first, ...rest]);
  for (const o of orgs) forgetOrg({ id: o.id });
}

/** `syncPayer` for whoever pays for this org. */
export async function syncOrg(env: Env, db: Db, orgId: string): Promise<void> {
  const payer = await payerOf(db, orgId);
  if (payer) await syncPayer(env, db, payer);
}
