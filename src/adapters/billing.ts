import { and, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "../db/client";
import { localBillingObjects } from "../db/schema";
import type { Env } from "../env";
import { newId } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { providerTimeoutMs, providerUnavailable } from "./http";

export type CustomerInput = { orgId: string; name: string; email: string | null };

/** A provider's subscription, as much of it as billing applies (Stripe's names, plain values). */
export type ProviderSubscription = {
  id: string;
  customerId: string | null;
  /** Stripe's status (`active`, `trialing`, `past_due`, `canceled`, `incomplete`, …). */
  status: string;
  priceId: string | null;
  cancelAtPeriodEnd: boolean;
  /** Epoch seconds. */
  currentPeriodEnd: number | null;
  trialEnd: number | null;
  orgId: string | null;
};

/** What a Checkout session buys: a plan's price (subscription mode) or a top-up (payment mode). */
export type CheckoutInput =
  | { mode: "subscription"; orgId: string; customerId: string; plan: string; priceId: string }
  | { mode: "payment"; orgId: string; customerId: string; amountCents: number };

export type CheckoutUrls = { successUrl: string; cancelUrl: string };

/**
 * The billing provider (provisioning, checkout, the subscription actions, org deletion).
 * Every call carries an idempotency key: the same key always yields the same object, so a
 * retried step never makes a second customer or a second charge. Plans arrive as the price
 * ids the billing capability picked (an adapter knows no plan catalogue).
 */
export interface BillingProvider {
  readonly name: string;
  createCustomer(input: CustomerInput, idempotencyKey: string): Promise<{ id: string }>;
  createSubscription(
    input: { orgId: string; customerId: string; plan: string },
    idempotencyKey: string,
  ): Promise<{ id: string }>;
  createCheckout(
    input: CheckoutInput,
    urls: CheckoutUrls,
    idempotencyKey: string,
  ): Promise<{ id: string; url: string }>;
  createPortal(input: { customerId: string; returnUrl: string }, idempotencyKey: string): Promise<{ url: string }>;
  getSubscription(id: string): Promise<ProviderSubscription | null>;
  /** Upgrade / downgrade: the subscription's one item moves to `priceId` (prorated). */
  updatePrice(subscriptionId: string, priceId: string, idempotencyKey: string): Promise<ProviderSubscription>;
  /** Cancel (true) at the end of the period, or renew (false) a scheduled cancel. */
  setCancelAtPeriodEnd(subscriptionId: string, cancel: boolean, idempotencyKey: string): Promise<ProviderSubscription>;
  /** Revive: a new subscription on `priceId` for a customer whose subscription ended. */
  startSubscription(
    input: { orgId: string; customerId: string; plan: string; priceId: string },
    idempotencyKey: string,
  ): Promise<ProviderSubscription>;
  /** Org deletion: cancels at once every live subscription made for the org (none left: a no-op). */
  cancelSubscriptionsOf(orgId: string, idempotencyKey: string): Promise<{ canceled: string[] }>;
}

type LocalKind = "customer" | "subscription" | "checkout_session" | "portal_session";

/**
 * Development and tests: the provider's objects are rows in local_billing_objects, and its
 * checkout and portal pages are the worker's own (`/billing/local/…`, billing/local-routes.ts).
 */
class LocalBilling implements BillingProvider {
  readonly name = "local";
  constructor(
    private readonly db: Db,
    private readonly appUrl: string,
  ) {}

  private async once(key: string, kind: LocalKind, prefix: string, data: Record<string, unknown>) {
    await this.db
      .insert(localBillingObjects)
      .values({ idempotencyKey: key, id: newId(prefix), kind, data, createdAt: Date.now() })
      .onConflictDoNothing();
    const row = (
      await this.db.select().from(localBillingObjects).where(eq(localBillingObjects.idempotencyKey, key))
    )[0];
    if (!row) throw new Error(`local billing: ${kind} for ${key} vanished`);
    return row;
  }

  private async subscriptionRow(id: string) {
    return (
      await this.db
        .select()
        .from(localBillingObjects)
        .where(and(eq(localBillingObjects.id, id), eq(localBillingObjects.kind, "subscription")))
    )[0];
  }

  private static view(id: string, data: Record<string, unknown>): ProviderSubscription {
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    const num = (v: unknown) => (typeof v === "number" ? v : null);
    return {
      id,
      customerId: str(data.customerId),
      status: str(data.status) ?? "active",
      priceId: str(data.priceId),
      cancelAtPeriodEnd: data.cancelAtPeriodEnd === true,
      currentPeriodEnd: num(data.currentPeriodEnd),
      trialEnd: num(data.trialEnd),
      orgId: str(data.orgId),
    };
  }

  /** Local changes set absolute values, so repeating one is harmless (the key is not needed). */
  private async patch(id: string, change: Record<string, unknown>) {
    const row = await this.subscriptionRow(id);
    if (!row) throw new Error(`local billing: no subscription ${id}`);
    const data = { ...row.data, ...change };
    await this.db.update(localBillingObjects).set({ data }).where(eq(localBillingObjects.id, id));
    return LocalBilling.view(id, data);
  }

  createCustomer(input: CustomerInput, key: string) {
    return this.once(key, "customer", "cus", { ...input });
  }

  createSubscription(input: { orgId: string; customerId: string; plan: string }, key: string) {
    return this.once(key, "subscription", "sub", { ...input, status: "active" });
  }

  async createCheckout(input: CheckoutInput, urls: CheckoutUrls, key: string) {
    const row = await this.once(key, "checkout_session", "cs", { ...input, ...urls });
    return { id: row.id, url: `${this.appUrl}/billing/local/checkout/${row.id}` };
  }

  async createPortal(input: { customerId: string; returnUrl: string }, key: string) {
    const row = await this.once(key, "portal_session", "bps", { ...input });
    return { url: `${this.appUrl}/billing/local/portal/${row.id}` };
  }

  async getSubscription(id: string) {
    const row = await this.subscriptionRow(id);
    return row ? LocalBilling.view(row.id, row.data) : null;
  }

  updatePrice(subscriptionId: string, priceId: string) {
    return this.patch(subscriptionId, { priceId, cancelAtPeriodEnd: false });
  }

  setCancelAtPeriodEnd(subscriptionId: string, cancel: boolean) {
    return this.patch(subscriptionId, { cancelAtPeriodEnd: cancel });
  }

  async startSubscription(input: { orgId: string; customerId: string; plan: string; priceId: string }, key: string) {
    const row = await this.once(key, "subscription", "sub", {
      ...input,
      status: "active",
      currentPeriodEnd: Math.floor(Date.now() / 1000) + 30 * 86_400,
    });
    return LocalBilling.view(row.id, row.data);
  }

  async cancelSubscriptionsOf(orgId: string) {
    const rows = await this.db
      .select()
      .from(localBillingObjects)
      .where(
        and(
          eq(localBillingObjects.kind, "subscription"),
          sql`json_extract(${localBillingObjects.data}, '$.orgId') = ${orgId}`,
          sql`coalesce(json_extract(${localBillingObjects.data}, '$.status'), '') <> 'canceled'`,
        ),
      );
    for (const r of rows) await this.patch(r.id, { status: "canceled", cancelAtPeriodEnd: false });
    return { canceled: rows.map((r) => r.id) };
  }
}

/**
 * Stripe refusing a change to a subscription (400: it was canceled meanwhile, a price is
 * archived, …) is the caller's conflict, not our failure: a 409 with Stripe's reason.
 */
async function refusalAsConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const e = err as { type?: string; statusCode?: number; message?: string };
    if (e.type === "StripeInvalidRequestError" && (e.statusCode === 400 || e.statusCode === 404)) {
      throw new AppError("subscription_conflict", `The billing provider refused the change: ${e.message ?? "invalid"}`);
    }
    throw err;
  }
}

const LIVE_STATUSES = new Set(["active", "trialing", "past_due", "unpaid", "incomplete", "paused"]);

/** Stripe through its SDK on the fetch HTTP client; Stripe keeps idempotency keys for 24 hours. */
class StripeBilling implements BillingProvider {
  readonly name = "stripe";
  constructor(private readonly env: Env) {}

  /**
   * One piece of work against Stripe, with the SDK bounded by PROVIDER_TIMEOUT_MS (and its one
   * network retry, safe because every write carries an idempotency key). Stripe unreachable,
   * slow or answering 5xx is `provider_unavailable`; its refusals stay the SDK's errors.
   */
  private async run<T>(work: (stripe: Stripe) => Promise<T>): Promise<T> {
    const { default: StripeSdk } = await import("stripe");
    const key = this.env.STRIPE_SECRET_KEY;
    if (!key) throw new Error("BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY");
    const base = this.env.STRIPE_API_BASE ? new URL(this.env.STRIPE_API_BASE) : null;
    const stripe = new StripeSdk(key, {
      httpClient: StripeSdk.createFetchHttpClient(),
      timeout: providerTimeoutMs(this.env),
      maxNetworkRetries: 1,
      ...(base
        ? {
            host: base.hostname,
            port: Number(base.port || (base.protocol === "https:" ? 443 : 80)),
            protocol: base.protocol === "https:" ? "https" : "http",
          }
        : {}),
    });
    try {
      return await work(stripe);
    } catch (err) {
      const e = err as { type?: string; statusCode?: number };
      if (e.type === "StripeConnectionError") throw providerUnavailable("Stripe", "could not be reached in time");
      if ((e.statusCode ?? 0) >= 500) throw providerUnavailable("Stripe", `answered ${e.statusCode}`);
      throw err;
    }
  }

  /** Since API 2025-03-31 the period lives on the subscription's items. */
  static view(s: Stripe.Subscription): ProviderSubscription {
    const item = s.items?.data?.[0];
    return {
      id: s.id,
      customerId: typeof s.customer === "string" ? s.customer : (s.customer?.id ?? null),
      status: s.status,
      priceId: item?.price?.id ?? null,
      cancelAtPeriodEnd: s.cancel_at_period_end === true,
      currentPeriodEnd: item?.current_period_end ?? null,
      trialEnd: s.trial_end ?? null,
      orgId: s.metadata?.org_id ?? null,
    };
  }

  async createCustomer(input: CustomerInput, idempotencyKey: string) {
    return this.run(async (stripe) => {
      const c = await stripe.customers.create(
        { name: input.name, email: input.email ?? undefined, metadata: { org_id: input.orgId } },
        { idempotencyKey },
      );
      return { id: c.id };
    });
  }

  async createSubscription(input: { orgId: string; customerId: string; plan: string }, idempotencyKey: string) {
    const price = this.env.STRIPE_PRICE_FREE;
    if (!price) throw new Error("BILLING_PROVIDER=stripe needs STRIPE_PRICE_FREE (the free plan's price id)");
    return this.run(async (stripe) => {
      const s = await stripe.subscriptions.create(
        { customer: input.customerId, items: [{ price }], metadata: { org_id: input.orgId, plan: input.plan } },
        { idempotencyKey },
      );
      return { id: s.id };
    });
  }

  async createCheckout(input: CheckoutInput, urls: CheckoutUrls, idempotencyKey: string) {
    return this.run(async (stripe) => {
      const common = { customer: input.customerId, success_url: urls.successUrl, cancel_url: urls.cancelUrl };
      const session =
        input.mode === "subscription"
          ? await stripe.checkout.sessions.create(
              {
                ...common,
                mode: "subscription",
                line_items: [{ price: input.priceId, quantity: 1 }],
                metadata: { org_id: input.orgId, kind: "subscription", plan: input.plan },
                subscription_data: { metadata: { org_id: input.orgId, plan: input.plan } },
              },
              { idempotencyKey },
            )
          : await stripe.checkout.sessions.create(
              {
                ...common,
                mode: "payment",
                line_items: [
                  {
                    quantity: 1,
                    price_data: {
                      currency: "usd",
                      unit_amount: input.amountCents,
                      product_data: { name: "Anyreach balance top-up" },
                    },
                  },
                ],
                metadata: { org_id: input.orgId, kind: "top_up", amount_cents: String(input.amountCents) },
              },
              { idempotencyKey },
            );
      if (!session.url) throw new Error(`stripe: checkout session ${session.id} has no url`);
      return { id: session.id, url: session.url };
    });
  }

  async createPortal(input: { customerId: string; returnUrl: string }, idempotencyKey: string) {
    return this.run(async (stripe) => {
      const s = await stripe.billingPortal.sessions.create(
        { customer: input.customerId, return_url: input.returnUrl },
        { idempotencyKey },
      );
      return { url: s.url };
    });
  }

  async getSubscription(id: string) {
    return this.run(async (stripe) => {
      try {
        return StripeBilling.view(await stripe.subscriptions.retrieve(id));
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return null;
        throw err;
      }
    });
  }

  async updatePrice(subscriptionId: string, priceId: string, idempotencyKey: string) {
    return refusalAsConflict(() => this.updatePriceAtStripe(subscriptionId, priceId, idempotencyKey));
  }

  private async updatePriceAtStripe(subscriptionId: string, priceId: string, idempotencyKey: string) {
    return this.run(async (stripe) => {
      const current = await stripe.subscriptions.retrieve(subscriptionId);
      const item = current.items.data[0];
      const s = await stripe.subscriptions.update(
        subscriptionId,
        {
          items: [item ? { id: item.id, price: priceId } : { price: priceId }],
          cancel_at_period_end: false,
          proration_behavior: "create_prorations",
        },
        { idempotencyKey },
      );
      return StripeBilling.view(s);
    });
  }

  async setCancelAtPeriodEnd(subscriptionId: string, cancel: boolean, idempotencyKey: string) {
    return this.run(async (stripe) => {
      const s = await refusalAsConflict(() =>
        stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: cancel }, { idempotencyKey }),
      );
      return StripeBilling.view(s);
    });
  }

  async startSubscription(
    input: { orgId: string; customerId: string; plan: string; priceId: string },
    idempotencyKey: string,
  ) {
    return this.run(async (stripe) => {
      const s = await refusalAsConflict(() =>
        stripe.subscriptions.create(
          {
            customer: input.customerId,
            items: [{ price: input.priceId }],
            metadata: { org_id: input.orgId, plan: input.plan },
          },
          { idempotencyKey },
        ),
      );
      return StripeBilling.view(s);
    });
  }

  /**
   * Finds the org's subscriptions by the `org_id` metadata every subscription we make
   * carries (provisioning's, Checkout's, a revive's), so none is left running however many
   * the org had. Stripe's search index lags writes by up to a minute.
   */
  async cancelSubscriptionsOf(orgId: string, idempotencyKey: string) {
    return this.run(async (stripe) => {
      const canceled: string[] = [];
      const found = await stripe.subscriptions.search({
        query: `metadata['org_id']:'${orgId.replace(/[^A-Za-z0-9_-]/g, "")}'`,
        limit: 100,
      });
      for (const s of found.data) {
        if (!LIVE_STATUSES.has(s.status)) continue;
        await stripe.subscriptions.cancel(s.id, {}, { idempotencyKey: `${idempotencyKey}:${s.id}` });
        canceled.push(s.id);
      }
      return { canceled };
    });
  }
}

/** BILLING_PROVIDER selects the provider (wrangler.toml); "local" needs no network. */
export function billingFor(env: Env, db: Db): BillingProvider {
  return env.BILLING_PROVIDER === "stripe" ? new StripeBilling(env) : new LocalBilling(db, env.APP_URL);
}

/**
 * A Stripe webhook's event, verified against STRIPE_WEBHOOK_SECRET (HMAC of the raw body,
 * 300 s tolerance), or null when the signature is missing or wrong or no secret is set.
 */
export async function verifiedStripeEvent(
  env: Env,
  rawBody: string,
  signature: string | undefined,
): Promise<{ id: string; type: string; created: number; data: { object: Record<string, unknown> } } | null> {
  const secret = env.STRIPE_WEBHOOK_SECRET;
  if (!secret || !signature) return null;
  const { default: Stripe } = await import("stripe");
  const stripe = new Stripe(env.STRIPE_SECRET_KEY || "sk_unused", { httpClient: Stripe.createFetchHttpClient() });
  try {
    const event = await stripe.webhooks.constructEventAsync(
      rawBody,
      signature,
      secret,
      300,
      Stripe.createSubtleCryptoProvider(),
    );
    const object = (event.data as { object?: unknown }).object;
    if (typeof event.id !== "string" || typeof event.type !== "string" || typeof event.created !== "number")
      return null;
    if (!object || typeof object !== "object") return null;
    return {
      id: event.id,
      type: event.type,
      created: event.created,
      data: { object: object as Record<string, unknown> },
    };
  } catch {
    return null;
  }
}
