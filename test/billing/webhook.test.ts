import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { accountOf, latestEntries } from "../../src/billing/ledger";
import { call, db, expectProblem, tenant, uniq, waitFor } from "../harness";

const stripe = new Stripe("sk_test_signer", { httpClient: Stripe.createFetchHttpClient() });
const SECRET = "whsec_test_secret";

async function signed(payload: string, secret = SECRET, timestamp?: number) {
  return stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret,
    timestamp,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
}

async function deliver(event: Record<string, unknown>, opts: { signature?: string | null; secret?: string } = {}) {
  const payload = JSON.stringify(event);
  const signature = opts.signature === undefined ? await signed(payload, opts.secret) : opts.signature;
  return call("POST", "/webhooks/stripe", {
    rawBody: payload,
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(signature ? { "stripe-signature": signature } : {}),
    },
  });
}

const now = () => Math.floor(Date.now() / 1000);

const topUpEvent = (orgId: string, amount: number, id = uniq("evt_")) => ({
  id,
  object: "event",
  type: "checkout.session.completed",
  created: now(),
  data: {
    object: {
      id: uniq("cs_"),
      object: "checkout.session",
      mode: "payment",
      payment_status: "paid",
      customer: null,
      amount_total: amount,
      metadata: { org_id: orgId, kind: "top_up", amount_cents: String(amount) },
    },
  },
});

const subscriptionEvent = (
  type: string,
  orgId: string,
  sub: { id: string; price: string; status?: string; cancel?: boolean },
  created: number,
) => ({
  id: uniq("evt_"),
  object: "event",
  type,
  created,
  data: {
    object: {
      id: sub.id,
      object: "subscription",
      customer: uniq("cus_"),
      status: sub.status ?? "active",
      cancel_at_period_end: sub.cancel ?? false,
      trial_end: null,
      metadata: { org_id: orgId },
      items: { data: [{ price: { id: sub.price }, current_period_end: created + 30 * 86_400 }] },
    },
  },
});

describe("POST /webhooks/stripe", () => {
  it("a bad, missing or foreign signature → 400 invalid_signature, and nothing changes", async () => {
    const { org } = await tenant();
    const before = (await accountOf(db(), org.id))?.balanceCents;
    const event = topUpEvent(org.id, 5000);
    expectProblem(await deliver(event, { signature: null }), 400, "invalid_signature");
    expectProblem(await deliver(event, { signature: "t=1,v1=deadbeef" }), 400, "invalid_signature");
    expectProblem(await deliver(event, { secret: "whsec_someone_else" }), 400, "invalid_signature");
    // A valid signature of another body.
    const other = await signed(JSON.stringify({ ...event, id: "evt_other" }));
    expectProblem(await deliver(event, { signature: other }), 400, "invalid_signature");
    // Too old (beyond the 300 s tolerance).
    const payload = JSON.stringify(event);
    const old = await signed(payload, SECRET, now() - 3600);
    expectProblem(await deliver(event, { signature: old }), 400, "invalid_signature");
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(before);
    const seen = await env.DB.prepare("SELECT count(*) AS n FROM billing_events WHERE id = ?").bind(event.id).first();
    expect(seen?.n).toBe(0);
  });

  it("no secret configured → 400 whatever the signature", async () => {
    const { receiveStripeWebhook } = await import("../../src/billing/webhook");
    const payload = JSON.stringify(topUpEvent("org_x", 500));
    await expect(
      receiveStripeWebhook({ ...env, STRIPE_WEBHOOK_SECRET: undefined }, db(), payload, await signed(payload)),
    ).rejects.toMatchObject({ code: "invalid_signature" });
  });

  it("a replayed top-up event changes the balance once", async () => {
    const { org } = await tenant();
    const before = (await accountOf(db(), org.id))?.balanceCents ?? 0;
    const event = topUpEvent(org.id, 1234);
    for (let i = 0; i < 3; i++) {
      const res = await deliver(event);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: true });
    }
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(before + 1234);
    expect((await latestEntries(db(), org.id)).filter((e) => e.kind === "top_up")).toHaveLength(1);
  });

  it("unknown event types and events about no org of ours are acknowledged and ignored", async () => {
    expect(
      (await deliver({ id: uniq("evt_"), type: "charge.refunded", created: now(), data: { object: {} } })).json,
    ).toEqual({
      received: true,
    });
    expect((await deliver(topUpEvent("org_nobody", 1000))).status).toBe(200);
  });

  it("subscription events set the plan; an older event arriving after a newer one leaves the newer state", async () => {
    const { org, key } = await tenant();
    const subId = uniq("sub_");
    const t = now();
    await deliver(
      subscriptionEvent("customer.subscription.created", org.id, { id: subId, price: "price_test_smb" }, t - 100),
    );
    expect(await accountOf(db(), org.id)).toMatchObject({ plan: "smb", status: "active", subscriptionId: subId });
    await deliver(
      subscriptionEvent(
        "customer.subscription.updated",
        org.id,
        { id: subId, price: "price_test_agency", cancel: true },
        t,
      ),
    );
    // The older update (still smb, not cancelling) arrives late.
    const late = await deliver(
      subscriptionEvent("customer.subscription.updated", org.id, { id: subId, price: "price_test_smb" }, t - 50),
    );
    expect(late.status).toBe(200);
    const account = await accountOf(db(), org.id);
    expect(account).toMatchObject({ plan: "agency", cancelAtPeriodEnd: true, subscriptionVersion: t });
    expect(account?.currentPeriodEnd).toBe((t + 30 * 86_400) * 1000);
    await waitFor(async () => (await call("GET", "/admin/concurrency", { token: key })).json.limit === 20);

    // Invoices: failed → past_due; paid → active (an older one changes nothing).
    const invoice = (type: string, created: number) => ({
      id: uniq("evt_"),
      type,
      created,
      data: {
        object: {
          id: uniq("in_"),
          object: "invoice",
          customer: null,
          subscription: subId,
          metadata: { org_id: org.id },
        },
      },
    });
    await deliver(invoice("invoice.payment_failed", t + 10));
    expect((await accountOf(db(), org.id))?.status).toBe("past_due");
    await deliver(invoice("invoice.paid", t + 5));
    expect((await accountOf(db(), org.id))?.status).toBe("past_due");
    await deliver(invoice("invoice.paid", t + 20));
    expect((await accountOf(db(), org.id))?.status).toBe("active");

    // Deleted: back on free, canceled; a deletion of some other subscription changes nothing.
    await deliver(
      subscriptionEvent("customer.subscription.deleted", org.id, { id: uniq("sub_"), price: "price_test_smb" }, t + 30),
    );
    expect((await accountOf(db(), org.id))?.plan).toBe("agency");
    await deliver(
      subscriptionEvent(
        "customer.subscription.deleted",
        org.id,
        { id: subId, price: "price_test_agency", status: "canceled" },
        t + 40,
      ),
    );
    expect(await accountOf(db(), org.id)).toMatchObject({ plan: "free", status: "canceled" });
    await waitFor(async () => (await call("GET", "/admin/concurrency", { token: key })).json.limit === 1);
  });

  it("the free plan's subscription (provisioning's) keeps the org trialing", async () => {
    const { org } = await tenant();
    const t = now();
    await deliver(
      subscriptionEvent("customer.subscription.created", org.id, { id: uniq("sub_"), price: "price_test_free" }, t),
    );
    const account = await accountOf(db(), org.id);
    expect(account).toMatchObject({ plan: "free", status: "trialing" });
    expect(account?.trialEndsAt).toBeGreaterThan(Date.now());
  });

  it("a subscription checkout completing puts the org on its plan", async () => {
    const { org } = await tenant();
    const res = await deliver({
      id: uniq("evt_"),
      type: "checkout.session.completed",
      created: now(),
      data: {
        object: {
          id: uniq("cs_"),
          object: "checkout.session",
          mode: "subscription",
          subscription: "sub_from_checkout",
          customer: null,
          metadata: { org_id: org.id, kind: "subscription", plan: "smb" },
        },
      },
    });
    expect(res.status).toBe(200);
    expect(await accountOf(db(), org.id)).toMatchObject({
      plan: "smb",
      status: "active",
      subscriptionId: "sub_from_checkout",
    });
  });
});
