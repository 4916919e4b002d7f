import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { localBillingObjects } from "../db/schema";
import type { Env } from "../env";
import { newId } from "../lib/crypto";

export type CustomerInput = { orgId: string; name: string; email: string | null };

/**
 * Billing provider for provisioning. Every call carries an idempotency key: the same key
 * always yields the same object, so a retried step never makes a second customer.
 */
export interface BillingProvider {
  readonly name: string;
  createCustomer(input: CustomerInput, idempotencyKey: string): Promise<{ id: string }>;
  createSubscription(
    input: { orgId: string; customerId: string; plan: string },
    idempotencyKey: string,
  ): Promise<{ id: string }>;
}

/** Development and tests: customers and subscriptions are rows in local_billing_objects. */
class LocalBilling implements BillingProvider {
  readonly name = "local";
  constructor(private readonly db: Db) {}

  private async once(key: string, kind: "customer" | "subscription", prefix: string, data: Record<string, unknown>) {
    await this.db
      .insert(localBillingObjects)
      .values({ idempotencyKey: key, id: newId(prefix), kind, data, createdAt: Date.now() })
      .onConflictDoNothing();
    const row = (
      await this.db
        .select({ id: localBillingObjects.id })
        .from(localBillingObjects)
        .where(eq(localBillingObjects.idempotencyKey, key))
    )[0];
    if (!row) throw new Error(`local billing: ${kind} for ${key} vanished`);
    return row;
  }

  createCustomer(input: CustomerInput, key: string) {
    return this.once(key, "customer", "cus", { ...input });
  }

  createSubscription(input: { orgId: string; customerId: string; plan: string }, key: string) {
    return this.once(key, "subscription", "sub", { ...input, status: "active" });
  }
}

/** Stripe through its SDK on the fetch HTTP client; Stripe keeps idempotency keys for 24 hours. */
class StripeBilling implements BillingProvider {
  readonly name = "stripe";
  constructor(private readonly env: Env) {}

  private async client() {
    const { default: Stripe } = await import("stripe");
    const key = this.env.STRIPE_SECRET_KEY;
    if (!key) throw new Error("BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY");
    const base = this.env.STRIPE_API_BASE ? new URL(this.env.STRIPE_API_BASE) : null;
    return new Stripe(key, {
      httpClient: Stripe.createFetchHttpClient(),
      ...(base
        ? {
            host: base.hostname,
            port: Number(base.port || (base.protocol === "https:" ? 443 : 80)),
            protocol: base.protocol === "https:" ? "https" : "http",
          }
        : {}),
    });
  }

  async createCustomer(input: CustomerInput, idempotencyKey: string) {
    const stripe = await this.client();
    const c = await stripe.customers.create(
      { name: input.name, email: input.email ?? undefined, metadata: { org_id: input.orgId } },
      { idempotencyKey },
    );
    return { id: c.id };
  }

  async createSubscription(input: { orgId: string; customerId: string; plan: string }, idempotencyKey: string) {
    const price = this.env.STRIPE_PRICE_FREE;
    if (!price) throw new Error("BILLING_PROVIDER=stripe needs STRIPE_PRICE_FREE (the free plan's price id)");
    const stripe = await this.client();
    const s = await stripe.subscriptions.create(
      { customer: input.customerId, items: [{ price }], metadata: { org_id: input.orgId, plan: input.plan } },
      { idempotencyKey },
    );
    return { id: s.id };
  }
}

/** BILLING_PROVIDER selects the provider (wrangler.toml); "local" needs no network. */
export function billingFor(env: Env, db: Db): BillingProvider {
  return env.BILLING_PROVIDER === "stripe" ? new StripeBilling(env) : new LocalBilling(db);
}
