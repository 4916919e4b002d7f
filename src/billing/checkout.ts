import { eq } from "drizzle-orm";
import { billingFor, type BillingProvider } from "../adapters/billing";
import type { Db } from "../db/client";
import { billingAccounts, type BillingAccountRow, type OrganizationRow, type PlanId } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { applySubscription, planOfAnyPrice, priceFor, statusOf } from "./events";
import { accountOf } from "./ledger";
import { PLANS, TOP_UP_CENTS } from "./plans";

export type SubscriptionAction = "upgrade" | "downgrade" | "cancel" | "renew" | "revive";

export type BillingState = {
  plan: PlanId;
  status: BillingAccountRow["status"];
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: number | null;
};

const conflict = (detail: string) => new AppError("subscription_conflict", detail);

const stateOf = (a: BillingAccountRow): BillingState => ({
  plan: a.plan,
  status: a.status,
  cancelAtPeriodEnd: a.cancelAtPeriodEnd,
  currentPeriodEnd: a.currentPeriodEnd,
});

async function ownAccount(db: Db, org: OrganizationRow): Promise<BillingAccountRow> {
  if (org.billingMode === "parent") {
    throw conflict("This organization is billed to its parent organization, which pays for it; manage billing there.");
  }
  const account = await accountOf(db, org.id);
  if (!account) throw new AppError("not_found", "Billing account not found.");
  return account;
}

/**
 * The org's customer at the provider in force. Provisioning normally made it; the same
 * idempotency key as provisioning's returns that customer rather than a second one.
 */
async function customerOf(db: Db, provider: BillingProvider, org: OrganizationRow, account: BillingAccountRow) {
  if (account.customerId && account.provider === provider.name) return account.customerId;
  const customer = await provider.createCustomer(
    { orgId: org.id, name: org.name, email: org.billingEmail ?? null },
    `org:${org.id}:customer`,
  );
  await db
    .update(billingAccounts)
    .set({ provider: provider.name, customerId: customer.id, updatedAt: Date.now() })
    .where(eq(billingAccounts.orgId, org.id));
  return customer.id;
}

function checkoutPlan(plan: PlanId): PlanId {
  if (plan === "enterprise") {
    throw new AppError("contact_sales", "The enterprise plan is arranged with sales: contact sales@anyreach.local.");
  }
  if (!PLANS[plan].checkout) throw conflict(`The ${plan} plan is not bought through checkout.`);
  return plan;
}

function priceOf(env: Env, plan: PlanId): string {
  const price = priceFor(env, plan);
  if (!price) throw new AppError("not_available", `No price is configured for the ${plan} plan.`);
  return price;
}

/** The console's billing page of the org: where Checkout and the portal send the customer back. */
const billingPage = (env: Env, org: OrganizationRow) => `${env.APP_URL}/${org.slug}/billing`;

const urls = (env: Env, org: OrganizationRow) => ({
  successUrl: `${billingPage(env, org)}?checkout=success`,
  cancelUrl: `${billingPage(env, org)}?checkout=canceled`,
});

/** A Checkout session (subscription mode) for a paid plan; the plan applies when it completes. */
export async function startCheckout(env: Env, db: Db, org: OrganizationRow, wanted: PlanId): Promise<{ url: string }> {
  const plan = checkoutPlan(wanted);
  const account = await ownAccount(db, org);
  if (account.plan === plan && account.status !== "canceled") {
    throw conflict(`This organization is already on the ${plan} plan.`);
  }
  if (account.plan !== "free" && account.status !== "canceled" && account.subscriptionId) {
    throw conflict(`This organization has a ${account.plan} subscription: upgrade or downgrade it instead.`);
  }
  const provider = billingFor(env, db);
  const customerId = await customerOf(db, provider, org, account);
  const session = await provider.createCheckout(
    { mode: "subscription", orgId: org.id, customerId, plan, priceId: priceOf(env, plan) },
    urls(env, org),
    `org:${org.id}:checkout:${plan}:${crypto.randomUUID()}`,
  );
  return { url: session.url };
}

/** A Checkout session (payment mode) for a top-up; the balance rises when the payment completes. */
export async function startTopUp(
  env: Env,
  db: Db,
  org: OrganizationRow,
  amountCents: number,
): Promise<{ url: string }> {
  if (!Number.isInteger(amountCents) || amountCents < TOP_UP_CENTS.min || amountCents > TOP_UP_CENTS.max) {
    throw new AppError("validation_failed", `A top-up is ${TOP_UP_CENTS.min}–${TOP_UP_CENTS.max} cents.`, {
      errors: [
        { field: "amount_cents", message: `must be an integer from ${TOP_UP_CENTS.min} to ${TOP_UP_CENTS.max}` },
      ],
    });
  }
  const account = await ownAccount(db, org);
  const provider = billingFor(env, db);
  const customerId = await customerOf(db, provider, org, account);
  const session = await provider.createCheckout(
    { mode: "payment", orgId: org.id, customerId, amountCents },
    urls(env, org),
    `org:${org.id}:top-up:${crypto.randomUUID()}`,
  );
  return { url: session.url };
}

/** The provider's customer portal (payment methods, invoices). */
export async function openPortal(env: Env, db: Db, org: OrganizationRow): Promise<{ url: string }> {
  const account = await ownAccount(db, org);
  const provider = billingFor(env, db);
  const customerId = await customerOf(db, provider, org, account);
  return provider.createPortal(
    { customerId, returnUrl: billingPage(env, org) },
    `org:${org.id}:portal:${crypto.randomUUID()}`,
  );
}

/**
 * The five subscription actions. Each is refused with a 409 naming why when it does not
 * apply; otherwise the provider changes the subscription and what it returns is applied
 * exactly as its webhook would be (billing/events.ts), then the Durable Objects learn it.
 * The idempotency key is tied to the account's state, so a double click is one change.
 */
export async function changeSubscription(
  env: Env,
  db: Db,
  org: OrganizationRow,
  action: SubscriptionAction,
  wanted: PlanId | undefined,
): Promise<BillingState> {
  const account = await ownAccount(db, org);
  const provider = billingFor(env, db);
  const key = `org:${org.id}:${action}:${wanted ?? ""}:${account.subscriptionVersion}:${account.updatedAt}`;
  const paid = account.plan !== "free" && account.plan !== "enterprise";
  const live = account.status !== "canceled";
  const subscriptionId = account.provider === provider.name ? account.subscriptionId : null;
  let type: "customer.subscription.created" | "customer.subscription.updated" = "customer.subscription.updated";
  let sub: Awaited<ReturnType<BillingProvider["getSubscription"]>>;
  switch (action) {
    case "upgrade":
    case "downgrade": {
      if (!wanted)
        throw new AppError("validation_failed", `Name the plan to ${action} to.`, {
          errors: [{ field: "plan", message: `required for ${action}` }],
        });
      const plan = wanted === "free" ? wanted : checkoutPlan(wanted);
      if (!paid || !live || !subscriptionId) {
        throw conflict(`There is no paid subscription to ${action}: start with checkout.`);
      }
      if (plan === "free") throw conflict("The free plan is not a subscription: cancel the subscription instead.");
      const higher = PLANS[plan].rank > PLANS[account.plan].rank;
      if (plan === account.plan) throw conflict(`This organization is already on the ${plan} plan.`);
      if (action === "upgrade" && !higher) throw conflict(`${plan} is not above ${account.plan}: downgrade instead.`);
      if (action === "downgrade" && higher) throw conflict(`${plan} is not below ${account.plan}: upgrade instead.`);
      sub = await provider.updatePrice(subscriptionId, priceOf(env, plan), key);
      break;
    }
    case "cancel":
      if (!paid || !live || !subscriptionId) throw conflict("There is no paid subscription to cancel.");
      if (account.cancelAtPeriodEnd) throw conflict("The subscription is already set to cancel at the period's end.");
      sub = await provider.setCancelAtPeriodEnd(subscriptionId, true, key);
      break;
    case "renew":
      if (!live || !account.cancelAtPeriodEnd || !subscriptionId) {
        throw conflict("Only a subscription set to cancel at the period's end can be renewed.");
      }
      sub = await provider.setCancelAtPeriodEnd(subscriptionId, false, key);
      break;
    case "revive": {
      if (live) throw conflict("Only a canceled subscription can be revived.");
      const last = subscriptionId ? await provider.getSubscription(subscriptionId) : null;
      const plan = planOfAnyPrice(env, last?.priceId ?? null);
      if (!plan || plan === "free") throw conflict("There is no paid plan to revive: start with checkout.");
      const customerId = await customerOf(db, provider, org, account);
      sub = await provider.startSubscription({ orgId: org.id, customerId, plan, priceId: priceOf(env, plan) }, key);
      type = "customer.subscription.created";
      break;
    }
  }
  if (!sub) throw new AppError("internal_error");
  // A provider that did not take the change leaves the state as it was (e.g. an incomplete new subscription).
  if (action === "revive" && statusOf(sub.status) === "canceled") throw conflict("The provider did not revive it.");
  await applySubscription(env, db, { eventId: `api:${key}`, orgId: org.id, type }, sub);
  const after = await accountOf(db, org.id);
  if (!after) throw new AppError("not_found", "Billing account not found.");
  return stateOf(after);
}
