import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { billingAccounts, organizations, type OrganizationRow } from "../db/schema";
import { payerOf } from "../db/tree";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { DAY_MS } from "../lib/dates";
import type { Actor } from "../auth/principal";
import { orgUpdatedStatement } from "../audit/log";
import { forgetOrg } from "../auth/cache";
import { accountOf } from "./ledger";
import { FREE_TRIAL } from "./plans";
import { planLimitOf, syncPayer } from "./sync";

export type BillingModeChange = {
  billingMode: "own" | "parent";
  /** A partner's cap below the payer's plan limit: a number sets it, null clears it, undefined keeps it. */
  concurrencyLimit?: number | null;
};

export type PaymentView = {
  billing_mode: "own" | "parent";
  /** The partner's cap (null: the payer's plan limit applies). */
  concurrency_limit: number | null;
  /** The limit in force: the payer's plan limit, or the cap when lower. */
  effective_concurrency_limit: number;
  payer_id: string;
};

/**
 * Who pays for a child org, and the partner's cap on its concurrency (PUT
 * /admin/partner-console/organizations/{child_id}/billing). `parent`: the nearest ancestor
 * paying its own way pays, and its plan applies. `own`: the child's own balance and plan;
 * a child that never had a trial (it was created billed to its parent) starts its free
 * trial now — with NO trial credit, so a partner cannot mint credit by switching children:
 * it calls once its own balance is topped up. A cap above the new payer's plan limit is
 * refused (422), not clamped, so the partner sees what it asked for is not granted.
 * After the change the payers' Durable Objects learn the new limit and balance at once.
 */
export async function setPayment(
  env: Env,
  db: Db,
  child: OrganizationRow,
  change: BillingModeChange,
  actor: Actor,
): Promise<PaymentView> {
  if (!child.parentId) throw new AppError("unprocessable", "A top-level organization always pays its own way.");
  const oldPayer = await payerOf(db, child.id);
  const newPayer = change.billingMode === "own" ? child.id : await payerOf(db, child.parentId);
  const account = newPayer ? await accountOf(db, newPayer) : null;
  if (!oldPayer || !newPayer || !account) throw new AppError("not_found", "Organization not found.");
  const planLimit = planLimitOf(account);
  const cap = change.concurrencyLimit === undefined ? child.concurrencyCap : change.concurrencyLimit;
  if (cap !== null && cap > planLimit) {
    throw new AppError(
      "unprocessable",
      `concurrency_limit ${cap} is above the paying organization's plan limit (${planLimit}); a partner can only lower it.`,
      { errors: [{ field: "concurrency_limit", message: `At most ${planLimit}` }] },
    );
  }
  const now = Date.now();
  const before = { billing_mode: child.billingMode, concurrency_cap: child.concurrencyCap };
  const after = { billing_mode: change.billingMode, concurrency_cap: cap };
  // Paying its own way for the first time: the trial starts now (no credit, see above).
  const trialStarts =
    change.billingMode === "own"
      ? [
          db
            .update(billingAccounts)
            .set({ trialEndsAt: now + FREE_TRIAL.days * DAY_MS, updatedAt: now })
            .where(
              and(
                eq(billingAccounts.orgId, child.id),
                eq(billingAccounts.plan, "free"),
                isNull(billingAccounts.trialEndsAt),
              ),
            ),
        ]
      : [];
  await db.batch([
    db
      .update(organizations)
      .set({ billingMode: change.billingMode, concurrencyCap: cap, updatedAt: now })
      .where(eq(organizations.id, child.id)),
    ...trialStarts,
    orgUpdatedStatement(db, child.id, actor, before, after),
  ]);
  // The old payer only if it still pays its own way (a child switching to `parent` was its
  // own payer: syncing it would push its own account to the orgs the new payer now pays for).
  if (oldPayer !== newPayer && oldPayer !== child.id) await syncPayer(env, db, oldPayer);
  await syncPayer(env, db, newPayer);
  forgetOrg({ id: child.id });
  return {
    billing_mode: change.billingMode,
    concurrency_limit: cap,
    effective_concurrency_limit: cap === null ? planLimit : Math.min(cap, planLimit),
    payer_id: newPayer,
  };
}
