import { and, eq, isNull, lte, ne, or, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { ProviderSubscription } from "../adapters/billing";
import type { Db } from "../db/client";
import { asBatch } from "../db/batch";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { billingAccounts, billingEvents, type PlanId, type SubscriptionStatus } from "../db/schema";
import type { Env } from "../env";
import { bookingStatement } from "./ledger";
import type { BillingMessage } from "./messages";
import { planOfPrice, priceIdOf, TOP_UP_CENTS } from "./plans";

/** A provider event, Stripe-shaped (what `constructEventAsync` returns, or the local pages build). */
export type ProviderEvent = {
  id: string;
  type: string;
  /** Epoch seconds. */
  created: number;
  data: { object: Record<string, unknown> };
};

export type ApplyResult = "applied" | "already_applied" | "ignored";

/** Without configured Stripe prices (`npm start`), the local provider names plans by these ids. */
const LOCAL_PRICE_PREFIX = "price_local_";

/** The price a plan is bought with: configured (STRIPE_PRICE_*), or the local stand-in. */
export function priceFor(env: Env, plan: PlanId): string | null {
  return priceIdOf(env, plan) ?? (env.BILLING_PROVIDER === "stripe" ? null : `${LOCAL_PRICE_PREFIX}${plan}`);
}

export function planOfAnyPrice(env: Env, priceId: string | null): PlanId | null {
  const configured = planOfPrice(env, priceId);
  if (configured || env.BILLING_PROVIDER === "stripe" || !priceId?.startsWith(LOCAL_PRICE_PREFIX)) return configured;
  const plan = priceId.slice(LOCAL_PRICE_PREFIX.length);
  return plan === "free" || plan === "smb" || plan === "agency" ? plan : null;
}

/** Stripe's subscription statuses folded into ours. */
export function statusOf(stripeStatus: string): SubscriptionStatus {
  switch (stripeStatus) {
    case "active":
      return "active";
    case "trialing":
      return "trialing";
    case "canceled":
    case "incomplete_expired":
      return "canceled";
    default:
      // past_due, unpaid, incomplete, paused: money is owed.
      return "past_due";
  }
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const idOf = (v: unknown): string | null => str(v) ?? str(rec(v).id);

/** A Stripe subscription object (webhook payload) as the adapter's plain shape. */
export function subscriptionOfObject(o: Record<string, unknown>): ProviderSubscription {
  const items = rec(o.items).data;
  const item = rec(Array.isArray(items) ? items[0] : undefined);
  return {
    id: str(o.id) ?? "",
    customerId: idOf(o.customer),
    status: str(o.status) ?? "active",
    priceId: idOf(item.price),
    cancelAtPeriodEnd: o.cancel_at_period_end === true,
    currentPeriodEnd: num(item.current_period_end) ?? num(o.current_period_end),
    trialEnd: num(o.trial_end),
    orgId: str(rec(o.metadata).org_id),
  };
}

/** The adapter's plain subscription as the Stripe object a webhook would carry (for the local provider). */
export function objectOfSubscription(s: ProviderSubscription): Record<string, unknown> {
  return {
    id: s.id,
    object: "subscription",
    customer: s.customerId,
    status: s.status,
    cancel_at_period_end: s.cancelAtPeriodEnd,
    trial_end: s.trialEnd,
    metadata: s.orgId ? { org_id: s.orgId } : {},
    items: { data: [{ price: { id: s.priceId }, current_period_end: s.currentPeriodEnd }] },
  };
}

/** Whose event: its `org_id` metadata when that org has an account, else the account of its customer. */
async function orgOfEvent(db: Db, metadataOrgId: string | null, customerId: string | null): Promise<string | null> {
  if (metadataOrgId) {
    const byOrg = await db
      .select({ orgId: billingAccounts.orgId })
      .from(billingAccounts)
      .where(eq(billingAccounts.orgId, metadataOrgId))
      .limit(1);
    if (byOrg[0]) return byOrg[0].orgId;
  }
  if (!customerId) return null;
  const byCustomer = await db
    .select({ orgId: billingAccounts.orgId })
    .from(billingAccounts)
    .where(eq(billingAccounts.customerId, customerId))
    .limit(1);
  return byCustomer[0]?.orgId ?? null;
}

type Effect = { orgId: string; statements: (db: Db) => BatchItem<"sqlite">[] };

/** Subscription state moves only forward: an event older than the state applied is a no-op. */
const notOlder = (created: number): SQL => lte(billingAccounts.subscriptionVersion, created);

/**
 * The account's state from a subscription. A `created` subscription takes the account over
 * (checkout, revive); an update applies to the account's own subscription only, so a
 * superseded one (the provisioning free plan's) never overwrites it; ending the account's
 * subscription puts the org back on free, keeping the id so revive finds its last plan.
 */
function subscriptionEffect(env: Env, orgId: string, type: string, created: number, sub: ProviderSubscription): Effect {
  return {
    orgId,
    statements: (db) => {
      const now = Date.now();
      const own = eq(billingAccounts.subscriptionId, sub.id);
      if (type === "customer.subscription.deleted" || statusOf(sub.status) === "canceled") {
        return [
          db
            .update(billingAccounts)
            .set({
              plan: "free",
              status: "canceled",
              cancelAtPeriodEnd: false,
              subscriptionVersion: created,
              updatedAt: now,
            })
            .where(and(eq(billingAccounts.orgId, orgId), own, notOlder(created))),
        ];
      }
      const plan = planOfAnyPrice(env, sub.priceId);
      const takesOver = type === "customer.subscription.created";
      return [
        db
          .update(billingAccounts)
          .set({
            subscriptionId: sub.id,
            ...(plan ? { plan } : {}),
            // The free plan is the trial: its (Stripe-active) subscription is our `trialing`.
            status: plan === "free" && sub.status === "active" ? "trialing" : statusOf(sub.status),
            cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
            currentPeriodEnd: sub.currentPeriodEnd === null ? null : sub.currentPeriodEnd * 1000,
            // A paid plan has no trial of ours; the free plan keeps the one it started with.
            ...(sub.trialEnd !== null
              ? { trialEndsAt: sub.trialEnd * 1000 }
              : plan && plan !== "free"
                ? { trialEndsAt: null }
                : {}),
            subscriptionVersion: created,
            updatedAt: now,
          })
          .where(
            and(
              eq(billingAccounts.orgId, orgId),
              takesOver ? undefined : or(isNull(billingAccounts.subscriptionId), own),
              notOlder(created),
            ),
          ),
      ];
    },
  };
}

/** What an event does to D1, or null when it concerns nothing of ours. */
async function effectOf(env: Env, db: Db, event: ProviderEvent): Promise<Effect | null> {
  const o = event.data.object;
  const metadata = rec(o.metadata);
  switch (event.type) {
    case "checkout.session.completed": {
      const orgId = await orgOfEvent(db, str(metadata.org_id), idOf(o.customer));
      if (!orgId) return null;
      const sessionId = str(o.id);
      if (!sessionId) return null;
      if (o.mode === "payment" && metadata.kind === "top_up") {
        if (o.payment_status !== undefined && o.payment_status !== "paid") return null;
        // What was paid (amount_total) rather than what was asked for, when Stripe says.
        const amount = num(o.amount_total) ?? Number(metadata.amount_cents);
        if (!Number.isInteger(amount) || amount < TOP_UP_CENTS.min || amount > TOP_UP_CENTS.max) return null;
        return {
          orgId,
          statements: (d) => [
            bookingStatement(d, {
              orgId,
              kind: "top_up",
              amountCents: amount,
              reference: `stripe:checkout:${sessionId}`,
              description: `Top-up (checkout ${sessionId})`,
              at: event.created * 1000,
            }),
          ],
        };
      }
      if (o.mode === "subscription") {
        const subscriptionId = idOf(o.subscription);
        const plan = str(metadata.plan);
        if (!subscriptionId || (plan !== "smb" && plan !== "agency")) return null;
        return {
          orgId,
          statements: (d) => [
            d
              .update(billingAccounts)
              .set({
                subscriptionId,
                plan,
                status: "active",
                cancelAtPeriodEnd: false,
                trialEndsAt: null,
                subscriptionVersion: event.created,
                updatedAt: Date.now(),
              })
              .where(and(eq(billingAccounts.orgId, orgId), notOlder(event.created))),
          ],
        };
      }
      return null;
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const sub = subscriptionOfObject(o);
      if (!sub.id) return null;
      const orgId = await orgOfEvent(db, sub.orgId, sub.customerId);
      return orgId ? subscriptionEffect(env, orgId, event.type, event.created, sub) : null;
    }
    case "invoice.paid":
    case "invoice.payment_failed": {
      const orgId = await orgOfEvent(db, str(metadata.org_id), idOf(o.customer));
      if (!orgId) return null;
      // Since API 2025-03-31 an invoice names its subscription under parent.subscription_details.
      const subscriptionId = idOf(o.subscription) ?? idOf(rec(rec(o.parent).subscription_details).subscription) ?? null;
      const status = event.type === "invoice.paid" ? "active" : "past_due";
      return {
        orgId,
        statements: (d) => [
          d
            .update(billingAccounts)
            .set({ status, subscriptionVersion: event.created, updatedAt: Date.now() })
            .where(
              and(
                eq(billingAccounts.orgId, orgId),
                ne(billingAccounts.status, "canceled"),
                subscriptionId ? eq(billingAccounts.subscriptionId, subscriptionId) : undefined,
                notOlder(event.created),
              ),
            ),
        ],
      };
    }
    default:
      return null;
  }
}

/**
 * Applies one provider event, once: the event's id is recorded in the same D1 batch as its
 * effect, and the guard right after that insert rolls the batch back when the id was there
 * already (a replay), so a replayed top-up books nothing. Then the billing queue tells the
 * Durable Objects (`sync`). Unknown types and events about no org of ours are ignored.
 * Used by the Stripe webhook, the local checkout pages and the subscription actions.
 */
export async function applyEvent(env: Env, db: Db, event: ProviderEvent): Promise<ApplyResult> {
  const effect = await effectOf(env, db, event);
  if (!effect) return "ignored";
  return applyEffect(env, db, event, effect);
}

async function applyEffect(env: Env, db: Db, event: ProviderEvent, effect: Effect): Promise<ApplyResult> {
  const stmts: BatchItem<"sqlite">[] = [
    db
      .insert(billingEvents)
      .values({
        id: event.id,
        type: event.type,
        orgId: effect.orgId,
        created: event.created,
        appliedAt: Date.now(),
      })
      .onConflictDoNothing(),
    abortUnlessChanged(db),
    ...effect.statements(db),
  ];
  try {
    await db.batch(asBatch(stmts));
  } catch (err) {
    if (isStaleWrite(err)) return "already_applied";
    throw err;
  }
  await enqueueSync(env, effect.orgId);
  return "applied";
}

/**
 * A subscription the provider returned to one of our calls (upgrade, cancel, revive, …),
 * applied exactly as its webhook would be: the same effect, the same version rule.
 */
export async function applySubscription(
  env: Env,
  db: Db,
  input: { eventId: string; orgId: string; type: "customer.subscription.created" | "customer.subscription.updated" },
  sub: ProviderSubscription,
): Promise<ApplyResult> {
  const created = Math.floor(Date.now() / 1000);
  const event: ProviderEvent = { id: input.eventId, type: input.type, created, data: { object: {} } };
  return applyEffect(env, db, event, subscriptionEffect(env, input.orgId, input.type, created, sub));
}

export async function enqueueSync(env: Env, orgId: string): Promise<void> {
  await env.BILLING_QUEUE.send({ type: "sync", orgId } satisfies BillingMessage);
}
