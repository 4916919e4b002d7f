import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { localBillingObjects, phoneNumbers, provisioningJobs, provisioningSteps } from "../../src/db/schema";
import { accountOf } from "../../src/billing/ledger";
import { db, tenant, waitFor, orgStatusOf } from "../harness";
import { deliver, runCron } from "../provisioning/helpers";

/**
 * Faults of provisioning (issue 13): the crash between the org's commit and its enqueue, and
 * an adapter answering 5xx. Covered elsewhere and not repeated: the cron re-sending an outbox
 * row that was never sent (test/provisioning/provisioning.test.ts, "the cron re-sends …"), and
 * injected step failures retried with backoff (same file, the fault_injections table).
 */

const jobOf = async (id: string) =>
  (await db().select().from(provisioningJobs).where(eq(provisioningJobs.orgId, id)))[0];
const customersOf = (id: string) =>
  db()
    .select()
    .from(localBillingObjects)
    .where(eq(localBillingObjects.idempotencyKey, `org:${id}:customer`));

const carrierEnv = {
  TELEPHONY_PROVIDER: "http",
  TELEPHONY_API_URL: "https://carrier.fake.test",
  TELEPHONY_API_KEY: "fake-carrier-key",
};
const numbersAtCarrier = async (orgId: string) =>
  (
    (await (
      await fetch(`https://carrier.fake.test/numbers?org_id=${orgId}`, {
        headers: { authorization: "Bearer fake-carrier-key" },
      })
    ).json()) as { numbers: string[] }
  ).numbers;

describe("faults: a crash between the write and the enqueue", () => {
  it("the message went out but the send was never recorded: the cron re-sends, and the org is provisioned once", async () => {
    // createOrg commits the org and its outbox row and sends nothing, as a worker killed after the commit.
    const { org } = await tenant();
    await db()
      .update(provisioningJobs)
      .set({ createdAt: Date.now() - 120_000 })
      .where(eq(provisioningJobs.orgId, org.id));
    // The original message (sent before the crash, its send never recorded) arrives while two
    // cron runs find the row unacknowledged and re-send it.
    await Promise.all([runCron(), runCron(), deliver("provisioning", [{ orgId: org.id }])]);
    await waitFor(async () => (await orgStatusOf(org.id)) === "active");
    // Let the re-sent copies arrive and be consumed.
    await new Promise((r) => setTimeout(r, 2000));

    expect(await orgStatusOf(org.id)).toBe("active");
    expect(await db().select().from(phoneNumbers).where(eq(phoneNumbers.orgId, org.id))).toHaveLength(1);
    expect(await customersOf(org.id)).toHaveLength(1);
    const job = await jobOf(org.id);
    expect(job).toMatchObject({ state: "succeeded", ackedAt: expect.any(Number) });
    const sends = job?.sends;
    // Acknowledged: the cron sends it no more.
    await runCron();
    expect((await jobOf(org.id))?.sends).toBe(sends);
  });
});

describe("faults: an adapter answering 5xx", () => {
  it("telephony: the carrier answering 502 fails the step and the message is retried; the retry assigns one number", async () => {
    const { org } = await tenant();
    // No fake answers this host: miniflare's outbound service answers 502.
    const down = await deliver("provisioning", [{ orgId: org.id }], {
      env: { ...carrierEnv, TELEPHONY_API_URL: "https://carrier-down.fake.test" },
    });
    expect(down.retryMessages).toHaveLength(1);
    expect(await orgStatusOf(org.id)).toBe("provisioning");
    const [telephony] = await db()
      .select()
      .from(provisioningSteps)
      .where(eq(provisioningSteps.orgId, org.id))
      .then((rows) => rows.filter((s) => s.step === "telephony"));
    expect(telephony).toMatchObject({ status: "failed", attempts: 1 });
    expect(telephony?.lastError).toMatch(/502|carrier/i);

    const up = await deliver("provisioning", [{ orgId: org.id }], { attempts: 2, env: carrierEnv });
    expect(up.explicitAcks).toHaveLength(1);
    // A redelivery after success changes nothing at the carrier either.
    await deliver("provisioning", [{ orgId: org.id }], { attempts: 3, env: carrierEnv });
    expect(await orgStatusOf(org.id)).toBe("active");
    const numbers = await db().select().from(phoneNumbers).where(eq(phoneNumbers.orgId, org.id));
    expect(numbers).toHaveLength(1);
    expect(await numbersAtCarrier(org.id)).toEqual([numbers[0]?.number]);
  });

  it("billing: Stripe unreachable (502) fails the billing step; the retry makes one customer, a redelivery none more", async () => {
    const { org } = await tenant();
    const stripe = { BILLING_PROVIDER: "stripe", STRIPE_SECRET_KEY: "sk_test_fake" };
    const down = await deliver("provisioning", [{ orgId: org.id }], {
      env: { ...stripe, STRIPE_API_BASE: "http://stripe-down.fake.test" },
    });
    expect(down.retryMessages).toHaveLength(1);
    expect(await orgStatusOf(org.id)).toBe("provisioning");
    const billingStep = (await db().select().from(provisioningSteps).where(eq(provisioningSteps.orgId, org.id))).find(
      (s) => s.step === "billing",
    );
    expect(billingStep).toMatchObject({ status: "failed", attempts: 1 });
    expect((await accountOf(db(), org.id))?.customerId ?? null).toBeNull();

    const up = { ...stripe, STRIPE_API_BASE: "http://stripe.fake.test" };
    expect((await deliver("provisioning", [{ orgId: org.id }], { attempts: 2, env: up })).explicitAcks).toHaveLength(1);
    expect(await orgStatusOf(org.id)).toBe("active");
    const customerId = (await accountOf(db(), org.id))?.customerId;
    expect(customerId).toMatch(/^cus_/);
    await deliver("provisioning", [{ orgId: org.id }], { attempts: 3, env: up });
    expect((await accountOf(db(), org.id))?.customerId).toBe(customerId);
  });
});
