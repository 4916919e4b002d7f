import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { billingFor } from "../../src/adapters/billing";
import { changeSubscription, openPortal, startCheckout, startTopUp } from "../../src/billing/checkout";
import { consumeBilling } from "../../src/billing/consumer";
import { applyEvent, objectOfSubscription } from "../../src/billing/events";
import { accountOf } from "../../src/billing/ledger";
import type { BillingMessage } from "../../src/billing/messages";
import { call, db, tenant, uniq, waitFor } from "../harness";

/** The Stripe provider, against the fake of test/fakes/outbound.ts (the bindings stay on local). */
const stripeEnv = {
  ...env,
  BILLING_PROVIDER: "stripe",
  STRIPE_SECRET_KEY: "sk_test_fake",
  STRIPE_API_BASE: "http://stripe.fake.test",
};

const fakeGet = async (path: string) =>
  (
    await fetch(`http://stripe.fake.test${path}`, { headers: { authorization: "Bearer sk_test_fake" } })
  ).json() as Promise<Record<string, unknown>>;

/** A message batch as the runtime hands it to the consumer, recording acks and retries. */
function batchOf(messages: BillingMessage[]) {
  const outcome: string[] = [];
  const batch = {
    queue: "billing",
    messages: messages.map((body, i) => ({
      id: String(i),
      timestamp: new Date(),
      attempts: 1,
      body,
      ack: () => outcome.push("ack"),
      retry: () => outcome.push("retry"),
    })),
    ackAll: () => {},
    retryAll: () => {},
  } as unknown as MessageBatch<BillingMessage>;
  return { batch, outcome };
}

describe("the Stripe billing adapter (against the fake Stripe)", () => {
  it("customers, checkout sessions and portal sessions; an idempotency key yields the same object", async () => {
    const stripe = billingFor(stripeEnv, db());
    const orgId = `org_${uniq()}`;
    const key = `org:${orgId}:customer`;
    const customer = await stripe.createCustomer({ orgId, name: "Acme", email: "billing@acme.test" }, key);
    expect(customer.id).toMatch(/^cus_/);
    expect((await stripe.createCustomer({ orgId, name: "Acme", email: null }, key)).id).toBe(customer.id);

    const urls = { successUrl: "http://app.test/ok", cancelUrl: "http://app.test/no" };
    const sub = await stripe.createCheckout(
      { mode: "subscription", orgId, customerId: customer.id, plan: "smb", priceId: "price_test_smb" },
      urls,
      `${orgId}:checkout`,
    );
    expect(sub).toMatchObject({
      id: expect.stringMatching(/^cs_/),
      url: expect.stringContaining("checkout.stripe.fake.test"),
    });
    const top = await stripe.createCheckout(
      { mode: "payment", orgId, customerId: customer.id, amountCents: 2500 },
      urls,
      `${orgId}:top-up`,
    );
    expect(top.id).not.toBe(sub.id);
    expect(
      (
        await stripe.createCheckout(
          { mode: "payment", orgId, customerId: customer.id, amountCents: 2500 },
          urls,
          `${orgId}:top-up`,
        )
      ).id,
    ).toBe(top.id);

    const portal = await stripe.createPortal(
      { customerId: customer.id, returnUrl: "http://app.test/billing" },
      `${orgId}:portal`,
    );
    expect(portal.url).toContain("billing.stripe.fake.test");
  });

  it("subscriptions: update the price, schedule and undo a cancel, start one, cancel all of an org's", async () => {
    const stripe = billingFor(stripeEnv, db());
    const orgId = `org_${uniq()}`;
    const customer = await stripe.createCustomer({ orgId, name: "Acme", email: null }, `${orgId}:c`);
    const started = await stripe.startSubscription(
      { orgId, customerId: customer.id, plan: "smb", priceId: "price_test_smb" },
      `${orgId}:s`,
    );
    expect(started).toMatchObject({ status: "active", priceId: "price_test_smb", orgId, cancelAtPeriodEnd: false });
    expect(started.currentPeriodEnd).toBeGreaterThan(Date.now() / 1000);

    const upgraded = await stripe.updatePrice(started.id, "price_test_agency", `${orgId}:up`);
    expect(upgraded).toMatchObject({ id: started.id, priceId: "price_test_agency" });
    expect(await stripe.getSubscription(started.id)).toMatchObject({ priceId: "price_test_agency" });
    expect((await stripe.setCancelAtPeriodEnd(started.id, true, `${orgId}:cancel`)).cancelAtPeriodEnd).toBe(true);
    expect((await stripe.setCancelAtPeriodEnd(started.id, false, `${orgId}:renew`)).cancelAtPeriodEnd).toBe(false);
    expect(await stripe.getSubscription("sub_missing")).toBeNull();

    const free = await stripe.createSubscription({ orgId, customerId: customer.id, plan: "free" }, `${orgId}:free`);
    const first = await stripe.cancelSubscriptionsOf(orgId, `${orgId}:deleted`);
    expect(first.canceled.sort()).toEqual([started.id, free.id].sort());
    expect((await fakeGet(`/v1/subscriptions/${started.id}`)).status).toBe("canceled");
    expect((await stripe.cancelSubscriptionsOf(orgId, `${orgId}:deleted`)).canceled).toEqual([]);
  });

  it("the routes' services on Stripe: checkout, top-up and portal URLs are Stripe's; an upgrade is applied as its webhook", async () => {
    const { org } = await tenant();
    expect((await startCheckout(stripeEnv, db(), org, "smb")).url).toContain("checkout.stripe.fake.test");
    const account = await accountOf(db(), org.id);
    expect(account).toMatchObject({ provider: "stripe", customerId: expect.stringMatching(/^cus_/) });
    expect((await startTopUp(stripeEnv, db(), org, 1000)).url).toContain("checkout.stripe.fake.test");
    expect((await openPortal(stripeEnv, db(), org)).url).toContain("billing.stripe.fake.test");
    // The same customer every time.
    expect((await accountOf(db(), org.id))?.customerId).toBe(account?.customerId);

    // Checkout completes at Stripe: its subscription is announced by webhook.
    const sub = await billingFor(stripeEnv, db()).startSubscription(
      { orgId: org.id, customerId: account?.customerId ?? "", plan: "smb", priceId: "price_test_smb" },
      `${org.id}:checkout-sub`,
    );
    await applyEvent(stripeEnv, db(), {
      id: uniq("evt_"),
      type: "customer.subscription.created",
      created: Math.floor(Date.now() / 1000) - 5,
      data: { object: objectOfSubscription(sub) },
    });
    expect((await accountOf(db(), org.id))?.plan).toBe("smb");
    const up = await changeSubscription(stripeEnv, db(), org, "upgrade", "agency");
    expect(up).toMatchObject({ plan: "agency", status: "active", cancelAtPeriodEnd: false });
    expect(await billingFor(stripeEnv, db()).getSubscription(sub.id)).toMatchObject({ priceId: "price_test_agency" });
    const cancel = await changeSubscription(stripeEnv, db(), org, "cancel", undefined);
    expect(cancel.cancelAtPeriodEnd).toBe(true);
  });
});

describe("a change Stripe refuses", () => {
  it("is a 409 subscription_conflict with Stripe's reason, and the state stays as it was", async () => {
    const { org } = await tenant();
    await startCheckout(stripeEnv, db(), org, "smb");
    const customerId = (await accountOf(db(), org.id))?.customerId ?? "";
    const stripe = billingFor(stripeEnv, db());
    const sub = await stripe.startSubscription(
      { orgId: org.id, customerId, plan: "smb", priceId: "price_test_smb" },
      `${org.id}:sub`,
    );
    await applyEvent(stripeEnv, db(), {
      id: uniq("evt_"),
      type: "customer.subscription.created",
      created: Math.floor(Date.now() / 1000) - 5,
      data: { object: objectOfSubscription(sub) },
    });
    // Canceled at Stripe; its webhook has not arrived yet.
    await stripe.cancelSubscriptionsOf(org.id, `${org.id}:gone`);
    await expect(changeSubscription(stripeEnv, db(), org, "upgrade", "agency")).rejects.toMatchObject({
      code: "subscription_conflict",
      detail: expect.stringContaining("canceled"),
    });
    expect(await accountOf(db(), org.id)).toMatchObject({ plan: "smb", status: "active" });
  });
});

describe("org deletion cancels the subscription (through the billing queue, idempotently)", () => {
  it("local provider: deleting the org cancels its subscriptions", async () => {
    const { owner, org, key } = await tenant();
    const res = await call("POST", "/admin/billing/checkout", { token: key, body: { plan: "smb" } });
    await call("POST", new URL(res.json.url).pathname, { body: {} });
    const subId = (await accountOf(db(), org.id))?.subscriptionId;
    expect(subId).toMatch(/^sub_/);
    const deleted = await call("DELETE", "/admin/organization", {
      token: owner.session,
      org: org.id,
      body: { slug: org.slug },
    });
    expect(deleted.status).toBe(204);
    const statusOf = async () =>
      (
        await env.DB.prepare("SELECT json_extract(data, '$.status') AS s FROM local_billing_objects WHERE id = ?")
          .bind(subId)
          .first<{ s: string }>()
      )?.s;
    await waitFor(async () => (await statusOf()) === "canceled");
    // A redelivered message cancels nothing more and succeeds.
    const { batch, outcome } = batchOf([{ type: "cancel_subscription", orgId: org.id }]);
    await consumeBilling(batch, env);
    expect(outcome).toEqual(["ack"]);
    expect(await statusOf()).toBe("canceled");
  });

  it("Stripe: the consumer cancels every live subscription made for the org; a redelivery is harmless", async () => {
    const stripe = billingFor(stripeEnv, db());
    const orgId = `org_${uniq()}`;
    const customer = await stripe.createCustomer({ orgId, name: "Gone", email: null }, `${orgId}:c`);
    const sub = await stripe.startSubscription(
      { orgId, customerId: customer.id, plan: "agency", priceId: "price_test_agency" },
      `${orgId}:s`,
    );
    for (let i = 0; i < 2; i++) {
      const { batch, outcome } = batchOf([{ type: "cancel_subscription", orgId }]);
      await consumeBilling(batch, stripeEnv);
      expect(outcome).toEqual(["ack"]);
      expect((await fakeGet(`/v1/subscriptions/${sub.id}`)).status).toBe("canceled");
    }
  });

  it("a failing provider is retried (the message is not lost)", async () => {
    const { batch, outcome } = batchOf([{ type: "cancel_subscription", orgId: "org_x" }]);
    await consumeBilling(batch, { ...stripeEnv, STRIPE_SECRET_KEY: "wrong" });
    expect(outcome).toEqual(["retry"]);
  });
});
