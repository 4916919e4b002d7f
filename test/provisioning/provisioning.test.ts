import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { consumeProvisioning } from "../../src/provisioning/consumer";
import {
  billingAccounts,
  knowledgeBases,
  localBillingObjects,
  organizations,
  phoneNumbers,
  provisioningJobs,
} from "../../src/db/schema";
import { concurrencyOf } from "../../src/calls/client";
import {
  addMember,
  call,
  createOrg,
  createPat,
  createUser,
  db,
  expectProblem,
  tenant,
  uniq,
  waitFor,
  orgStatusOf,
} from "../harness";
import { deliver, injectFault, recordingBatch, runCron } from "./helpers";

async function provisioning(token: string, org: string) {
  return call("GET", "/admin/organization/provisioning", { token, org });
}

describe("provisioning", () => {
  it("a new org is provisioned on the queue: every step recorded once, then the org is active", async () => {
    const owner = await createUser();
    const created = await call("POST", "/admin/organizations", {
      token: owner.session,
      body: { name: "Acme", slug: uniq("acme") },
    });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe("provisioning");
    const id = created.json.id;

    const done = await waitFor(async () => {
      const r = await provisioning(owner.session, id);
      return r.json.status === "active" ? r : undefined;
    });
    expect(done.json.state).toBe("succeeded");
    expect(done.json.steps.map((s: { name: string }) => s.name)).toEqual([
      "identity",
      "billing",
      "telephony",
      "knowledge_base",
    ]);
    for (const s of done.json.steps)
      expect(s).toMatchObject({
        status: "succeeded",
        attempts: 1,
        last_error: null,
        started_at: expect.any(String),
        finished_at: expect.any(String),
      });

    const [account] = await db().select().from(billingAccounts).where(eq(billingAccounts.orgId, id));
    expect(account).toMatchObject({ provider: "local", plan: "free", status: "trialing", balanceCents: 500 });
    const [row] = await db().select().from(organizations).where(eq(organizations.id, id));
    expect(row?.billingEmail).toBe(owner.email);
    expect(account?.customerId).toMatch(/^cus_/);
    expect(await db().select().from(phoneNumbers).where(eq(phoneNumbers.orgId, id))).toHaveLength(1);
    expect(await db().select().from(knowledgeBases).where(eq(knowledgeBases.orgId, id))).toMatchObject([
      { isDefault: true },
    ]);
    expect(await concurrencyOf(env, id).getStatus()).toMatchObject({ active: 0, limit: 1 });

    const numbers = await call("GET", "/admin/phone-numbers", { token: owner.session, org: id });
    expect(numbers.json.data).toHaveLength(1);
    expect(numbers.json.data[0].number).toMatch(/^\+1555\d{7}$/);
  });

  it("a message delivered twice changes nothing the second time", async () => {
    const { org } = await tenant();
    const first = await deliver("provisioning", [{ orgId: org.id }]);
    expect(first.explicitAcks).toHaveLength(1);
    const snapshot = async () => ({
      numbers: await db().select().from(phoneNumbers).where(eq(phoneNumbers.orgId, org.id)),
      kbs: await db().select().from(knowledgeBases).where(eq(knowledgeBases.orgId, org.id)),
      billing: await db().select().from(billingAccounts).where(eq(billingAccounts.orgId, org.id)),
      job: await db().select().from(provisioningJobs).where(eq(provisioningJobs.orgId, org.id)),
    });
    const before = await snapshot();
    // Twice more, once as two copies in the same batch (processed concurrently).
    expect((await deliver("provisioning", [{ orgId: org.id }])).explicitAcks).toHaveLength(1);
    expect((await deliver("provisioning", [{ orgId: org.id }, { orgId: org.id }])).explicitAcks).toHaveLength(2);
    expect(await snapshot()).toEqual(before);
    expect(before.numbers).toHaveLength(1);
    expect(await orgStatusOf(org.id)).toBe("active");
  });

  it("concurrent duplicate deliveries to a fresh org still assign one number and one customer", async () => {
    const { org } = await tenant();
    const r = await deliver("provisioning", [{ orgId: org.id }, { orgId: org.id }, { orgId: org.id }]);
    expect(r.explicitAcks.length + r.retryMessages.length).toBe(3);
    await deliver("provisioning", [{ orgId: org.id }]);
    expect(await db().select().from(phoneNumbers).where(eq(phoneNumbers.orgId, org.id))).toHaveLength(1);
    const customers = await db()
      .select()
      .from(localBillingObjects)
      .where(eq(localBillingObjects.idempotencyKey, `org:${org.id}:customer`));
    expect(customers).toHaveLength(1);
  });

  it("a failing step is recorded and retried with exponential backoff, then succeeds", async () => {
    const { org, owner } = await tenant();
    await injectFault("billing", org.id, 2, "billing provider unavailable");
    const slow = { ...env, PROVISIONING_BACKOFF_BASE_SECONDS: "2" };

    const first = recordingBatch("provisioning", [{ orgId: org.id }], 1);
    await consumeProvisioning(first.batch, slow);
    expect(first.decisions).toEqual([{ id: expect.any(String), retryDelay: 2 }]);
    let view = (await provisioning(owner.session, org.id)).json;
    expect(view.status).toBe("provisioning");
    expect(view.steps[0]).toMatchObject({ name: "identity", status: "succeeded", attempts: 1 });
    expect(view.steps[1]).toMatchObject({
      name: "billing",
      status: "failed",
      attempts: 1,
      last_error: "billing provider unavailable",
    });
    expect(view.steps[2]).toMatchObject({ name: "telephony", status: "pending", attempts: 0 });

    const second = recordingBatch("provisioning", [{ orgId: org.id }], 2);
    await consumeProvisioning(second.batch, slow);
    expect(second.decisions).toEqual([{ id: expect.any(String), retryDelay: 4 }]);

    const third = await deliver("provisioning", [{ orgId: org.id }], { attempts: 3 });
    expect(third.explicitAcks).toHaveLength(1);
    view = (await provisioning(owner.session, org.id)).json;
    expect(view.status).toBe("active");
    expect(view.steps[0].attempts).toBe(1);
    expect(view.steps[1]).toMatchObject({ status: "succeeded", attempts: 3, last_error: null });
  });

  it("after the last retry the dead-letter consumer marks the org provisioning_failed with the reason; retry re-drives it", async () => {
    const owner = await createUser();
    const slug = uniq("doomed");
    await injectFault("telephony", slug, 1000, "carrier rejected the trunk");
    const created = await call("POST", "/admin/organizations", {
      token: owner.session,
      body: { name: "Doomed", slug },
    });
    const id = created.json.id;

    const failed = await waitFor(async () => {
      const r = await provisioning(owner.session, id);
      return r.json.status === "provisioning_failed" ? r.json : undefined;
    }, 20_000);
    expect(failed.state).toBe("failed");
    expect(failed.failure_reason).toBe("telephony: carrier rejected the trunk");
    expect(failed.steps[2]).toMatchObject({ status: "failed", attempts: 6 });

    await injectFault("telephony", slug, 0);
    const retried = await call("POST", "/admin/organization/provisioning/retry", { token: owner.session, org: id });
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ status: "provisioning", state: "pending", failure_reason: null });
    const active = await waitFor(async () => {
      const r = await provisioning(owner.session, id);
      return r.json.status === "active" ? r.json : undefined;
    });
    expect(active.steps[1]).toMatchObject({ name: "billing", attempts: 1 });
    expect(active.steps[2]).toMatchObject({ status: "succeeded", attempts: 7 });
  }, 40_000);

  it("the dead-letter consumer is idempotent and never downgrades a provisioned org", async () => {
    const { org } = await tenant();
    await deliver("provisioning", [{ orgId: org.id }]);
    const r = await deliver("provisioning-dlq", [{ orgId: org.id }, { orgId: org.id }]);
    expect(r.explicitAcks).toHaveLength(2);
    expect(await orgStatusOf(org.id)).toBe("active");
  });

  it("the cron re-sends outbox rows whose message never went out", async () => {
    // createOrg writes the org and its outbox row but, like a crash after commit, sends nothing.
    const { org } = await tenant();
    await db()
      .update(provisioningJobs)
      .set({ createdAt: Date.now() - 120_000 })
      .where(eq(provisioningJobs.orgId, org.id));
    expect(await orgStatusOf(org.id)).toBe("provisioning");

    await runCron();
    await waitFor(async () => (await orgStatusOf(org.id)) === "active");
    const [job] = await db().select().from(provisioningJobs).where(eq(provisioningJobs.orgId, org.id));
    expect(job).toMatchObject({ state: "succeeded", sends: 1 });
    expect(job?.ackedAt).toEqual(expect.any(Number));
  });

  it("the cron leaves fresh and acknowledged rows alone", async () => {
    const { org } = await tenant();
    await runCron();
    const [job] = await db().select().from(provisioningJobs).where(eq(provisioningJobs.orgId, org.id));
    expect(job?.sends).toBe(0);
  });

  it("retrying an org that is already provisioned is a 409", async () => {
    const { org, owner } = await tenant();
    await deliver("provisioning", [{ orgId: org.id }]);
    expectProblem(
      await call("POST", "/admin/organization/provisioning/retry", { token: owner.session, org: org.id }),
      409,
      "conflict",
    );
  });

  it("members can read provisioning but not re-drive it", async () => {
    const { org } = await tenant();
    const member = await createUser();
    await addMember(org, member, ["member"]);
    const pat = await createPat(member);
    expect((await provisioning(pat, org.id)).status).toBe(200);
    expectProblem(
      await call("POST", "/admin/organization/provisioning/retry", { token: pat, org: org.id }),
      403,
      "insufficient_scope",
    );
    expectProblem(await call("GET", "/admin/organization/provisioning"), 401, "unauthenticated");
  });

  it("a child org is provisioned with its creator as admin", async () => {
    const owner = await createUser();
    const parent = await createOrg(owner);
    const child = await createOrg(owner, { parentId: parent.id });
    await deliver("provisioning", [{ orgId: child.id }]);
    expect(await orgStatusOf(child.id)).toBe("active");
  });
});
