import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { mailerFor } from "../../src/adapters/mail";
import { accountOf } from "../../src/billing/ledger";
import { organizations, orgDomains, phoneNumbers, provisioningSteps } from "../../src/db/schema";
import { call, db, expectProblem, tenant, uniq } from "../harness";
import { deliver } from "../provisioning/helpers";

/**
 * Faults of issue 13: an adapter that answers 500 or does not answer at all. Any
 * `*-hang.fake.test` host of test/fakes/outbound.ts takes the request and answers only after
 * the test's own timeout, so a missing deadline fails the test; PROVIDER_TIMEOUT_MS (here
 * 200 ms) must give up first, as `provider_unavailable` naming the timeout: a queue retry in a
 * consumer, a 503 problem with Retry-After on a request, and nothing half-done afterwards.
 * (No elapsed-time assertions: the machine is shared, and the messages say why it failed.)
 */

const FAST = { PROVIDER_TIMEOUT_MS: "200" };
const carrier = { TELEPHONY_PROVIDER: "http", TELEPHONY_API_KEY: "fake-carrier-key", ...FAST };
const stripe = { BILLING_PROVIDER: "stripe", STRIPE_SECRET_KEY: "sk_test_fake", ...FAST };
const cloudflare = {
  DOMAIN_PROVIDER: "cloudflare",
  CLOUDFLARE_API_TOKEN: "fake-cf-token",
  CLOUDFLARE_ZONE_ID: "zone-test",
  ...FAST,
};

const stepOf = async (orgId: string, step: string) =>
  (await db().select().from(provisioningSteps).where(eq(provisioningSteps.orgId, orgId))).find((s) => s.step === step);

describe("faults: a provider that does not answer", () => {
  it("the mail provider: the send fails within the deadline, as provider_unavailable", async () => {
    const mailer = mailerFor({
      ...env,
      ...FAST,
      MAIL_PROVIDER: "http",
      MAIL_API_URL: "http://mail-hang.fake.test/send",
      MAIL_API_KEY: "fake-mail-key",
    });
    await expect(mailer.send({ key: "k", to: "a@b.example", subject: "s", text: "t" })).rejects.toMatchObject({
      code: "provider_unavailable",
      message: expect.stringContaining("did not answer within 200 ms"),
    });
  });

  it("the carrier: the provisioning step fails in time and is retried; the retry assigns one number", async () => {
    const { org } = await tenant();
    const down = await deliver("provisioning", [{ orgId: org.id }], {
      env: { ...carrier, TELEPHONY_API_URL: "https://carrier-hang.fake.test" },
    });
    expect(down.retryMessages).toHaveLength(1);
    expect(await stepOf(org.id, "telephony")).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: expect.stringContaining("did not answer within 200 ms"),
    });

    const up = { ...carrier, TELEPHONY_API_URL: "https://carrier.fake.test" };
    expect((await deliver("provisioning", [{ orgId: org.id }], { attempts: 2, env: up })).explicitAcks).toHaveLength(1);
    expect(await db().select().from(phoneNumbers).where(eq(phoneNumbers.orgId, org.id))).toHaveLength(1);
  });

  it("Stripe in provisioning: the billing step fails in time (the SDK's one retry included); no customer is recorded", async () => {
    const { org } = await tenant();
    const down = await deliver("provisioning", [{ orgId: org.id }], {
      env: { ...stripe, STRIPE_API_BASE: "http://stripe-hang.fake.test" },
    });
    expect(down.retryMessages).toHaveLength(1);
    expect(await stepOf(org.id, "billing")).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: expect.stringContaining("Stripe could not be reached in time"),
    });
    expect((await accountOf(db(), org.id))?.customerId ?? null).toBeNull();
  });

  it("Stripe on a request: checkout answers 503 provider_unavailable with Retry-After", async () => {
    const t = await tenant();
    const res = await call("POST", "/admin/billing/checkout", {
      token: t.key,
      body: { plan: "smb" },
      env: { ...stripe, STRIPE_API_BASE: "http://stripe-hang.fake.test" },
    });
    expectProblem(res, 503, "provider_unavailable");
    expect(res.headers.get("retry-after")).toBe("30");
    expect(res.json.detail).toBe("Stripe could not be reached in time; try again later.");
  });

  it("Stripe answering 500 on a request is the same 503, not a 500", async () => {
    const t = await tenant();
    const res = await call("POST", "/admin/billing/top-ups", {
      token: t.key,
      body: { amount_cents: 1000 },
      // No fake answers this host: the outbound service answers 502.
      env: { ...stripe, STRIPE_API_BASE: "http://stripe-down.fake.test" },
    });
    expectProblem(res, 503, "provider_unavailable");
    expect(res.json.detail).toBe("Stripe answered 502; try again later.");
  });
});

describe("faults: the DNS provider answering 5xx or not at all", () => {
  it.each([
    ["answering 502", "https://cloudflare-down.fake.test/client/v4"],
    ["not answering", "https://cloudflare-hang.fake.test/client/v4"],
  ])("Cloudflare %s: claiming a domain is a 503 and leaves no claim behind", async (_, base) => {
    const t = await tenant();
    const domain = `${uniq("cfdown")}.example.com`;
    const res = await call("PUT", "/admin/organization/domain", {
      token: t.key,
      body: { domain },
      env: { ...cloudflare, CLOUDFLARE_API_BASE: base },
    });
    expectProblem(res, 503, "provider_unavailable");
    expect(res.json.detail).toMatch(
      /^Cloudflare's API (answered 502|did not answer within 200 ms); try again later\.$/,
    );
    expect(await db().select().from(orgDomains).where(eq(orgDomains.orgId, t.org.id))).toEqual([]);
    const [org] = await db().select().from(organizations).where(eq(organizations.id, t.org.id));
    expect(org).toMatchObject({ domain: null, domainSetupStatus: "none" });

    // With the provider back, the same claim goes through.
    const again = await call("PUT", "/admin/organization/domain", {
      token: t.key,
      body: { domain },
      env: { ...cloudflare, CLOUDFLARE_API_BASE: "https://cloudflare.fake.test/client/v4" },
    });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ domain, status: "pending" });
  });

  it.each([
    ["answering 503", "https://doh.fake.test/fail"],
    ["not answering", "https://doh-hang.fake.test/dns-query"],
  ])("the DNS-over-HTTPS resolver %s: verify keeps the domain pending and says why", async (_, url) => {
    const t = await tenant();
    const domain = `${uniq("dohdown")}.example.com`;
    const doh = { DOMAIN_PROVIDER: "doh", DOH_URL: "https://doh.fake.test/dns-query", ...FAST };
    expect((await call("PUT", "/admin/organization/domain", { token: t.key, body: { domain }, env: doh })).status).toBe(
      200,
    );
    const res = await call("POST", "/admin/organization/domain/verify", {
      token: t.key,
      env: { ...doh, DOH_URL: url },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      domain,
      status: "pending",
      reason: expect.stringContaining("could not be completed"),
    });
  });
});
