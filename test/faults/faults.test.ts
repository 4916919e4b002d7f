import { env } from "cloudflare:workers";
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { consumeUsage } from "../../src/usage/consumer";
import { concurrencyOf } from "../../src/calls/client";
import { accountOf, bookingStatement } from "../../src/billing/ledger";
import { PLANS } from "../../src/billing/plans";
import { runBatch } from "../../src/db/batch";
import {
  billingAccounts,
  callRecords,
  emailDeliveries,
  ledgerEntries,
  memberships,
  organizations,
  provisioningJobs,
  usageDaily,
} from "../../src/db/schema";
import type { EmailMessage } from "../../src/email/messages";
import { createUser, db, onPlan, tenant, uniq, waitFor, usageChargesOf } from "../harness";
import { orgLifecycle } from "../../src/app";
import { buildOrganizationRow, organizationStatements } from "../../src/orgs/service";
import { deliver, recordingBatch } from "../provisioning/helpers";
import { endedCall } from "../usage/messages";

/**
 * Faults that break work mid-way, each proving nothing is lost or doubled (issue 13). Faults
 * already covered elsewhere, and not repeated here:
 * - the same usage batch delivered twice: test/usage/usage.test.ts ("… delivered twice changes nothing"),
 *   and its charges: test/billing/charges.test.ts ("… once however often it is delivered");
 * - an e-mail delivered twice: test/email/consumer.test.ts, test/invitations/invitations.test.ts;
 * - a provisioning message delivered twice / concurrently, a failing step retried with backoff, the
 *   dead-letter path, and the crash between the org's commit and its enqueue (the cron's outbox
 *   re-send): test/provisioning/provisioning.test.ts;
 * - a webhook replayed, and an older one arriving after a newer one: test/billing/webhook.test.ts;
 * - a billing provider failing (the message is retried): test/billing/stripe.test.ts;
 * - the DO alarm reclaiming expired leases, run three times: test/calls/concurrency-object.test.ts.
 */

const voice = { channel: "voice" as const, direction: "inbound" as const, agentId: null };
const MINUTE = 60_000;
const callId = () => `call_${uniq("f").replace(/[^a-z0-9]/gi, "")}`;

/**
 * The real D1 binding, except that its next `failures` batches fail: `before` the
 * transaction (nothing written) or `after` it committed (the worker died before the ack).
 */
function flakyD1(failures: number, when: "before" | "after"): D1Database {
  let left = failures;
  const real = env.DB;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "batch")
        return async (stmts: D1PreparedStatement[]) => {
          if (left > 0 && when === "before") {
            left -= 1;
            throw new Error("D1_ERROR: injected failure before the batch");
          }
          const out = await target.batch(stmts);
          if (left > 0) {
            left -= 1;
            throw new Error("D1_ERROR: injected failure after the batch committed");
          }
          return out;
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

const usageOf = async (orgId: string) => (await db().select().from(usageDaily).where(eq(usageDaily.orgId, orgId)))[0];

describe("faults: a queue consumer that fails on the first delivery", () => {
  for (const when of ["before", "after"] as const) {
    it(`usage: the batch fails ${when} its D1 transaction; every message is retried, and the retry books usage and charges exactly once`, async () => {
      const { org } = await tenant();
      await onPlan(org.id, "smb", { balanceCents: 10_000 });
      const ids = [callId(), callId(), callId()];
      const bodies = ids.map((id) => endedCall(org.id, id, 61_000));
      // One batch try and three one-message tries: all four fail on this first delivery.
      const first = recordingBatch("usage", bodies, 1);
      await consumeUsage(first.batch, { ...env, DB: flakyD1(4, when) });
      expect(first.decisions.map((d) => d.retryDelay !== undefined)).toEqual([true, true, true]);

      // The redelivery (as the queue makes it) succeeds.
      const second = recordingBatch("usage", bodies, 2);
      await consumeUsage(second.batch, env);
      expect(second.decisions.map((d) => d.ack)).toEqual([true, true, true]);

      expect(await usageOf(org.id)).toMatchObject({ voiceCalls: 3, voiceMs: 3 * 61_000, inboundCalls: 3 });
      expect(await db().select().from(callRecords).where(eq(callRecords.orgId, org.id))).toHaveLength(3);
      const charges = await usageChargesOf(org.id);
      expect(charges.map((c) => c.usageEventKey).sort()).toEqual(ids.map((id) => `call:${id}`).sort());
      const perCall = 2 * PLANS.smb.rates.voiceCentsPerMinute;
      expect(charges.every((c) => c.amountCents === -perCall)).toBe(true);
      expect((await accountOf(db(), org.id))?.balanceCents).toBe(10_000 - 3 * perCall);
    });
  }

  it("usage: one message that keeps failing is retried alone; the others of its batch are recorded once", async () => {
    const { org } = await tenant();
    const good = endedCall(org.id, callId(), 5_000);
    // An org that does not exist: its rows violate the foreign key, every time.
    const bad = endedCall(`org_${uniq("gone")}`, callId(), 5_000);
    const r = recordingBatch("usage", [good, bad], 1);
    await consumeUsage(r.batch, env);
    expect(r.decisions).toEqual([
      { id: r.batch.messages[0]?.id, ack: true },
      { id: r.batch.messages[1]?.id, retryDelay: expect.any(Number) },
    ]);
    await deliver("usage", [good]);
    expect(await usageOf(org.id)).toMatchObject({ voiceCalls: 1, voiceMs: 5_000 });
  });
});

describe("faults: the same message delivered twice", () => {
  it("billing sync: twice, and twice in one batch, pushes the same absolute state (nothing accumulates)", async () => {
    const { org } = await tenant();
    await onPlan(org.id, "smb", { balanceCents: 700 });
    const stub = concurrencyOf(env, org.id);
    const spending = async () =>
      runInDurableObject(stub, (_o, state) =>
        state.storage.sql
          .exec<{ key: string; value: string }>("SELECT key, value FROM settings WHERE key IN ('limit', 'spending')")
          .toArray()
          // Each push carries the payer's ledger version (newer pushes win); the state it sets is the same.
          .map((r) =>
            r.key === "spending" ? { ...r, value: JSON.stringify({ ...JSON.parse(r.value), version: 0 }) } : r,
          ),
      );
    const before = await spending();
    const once = await deliver("billing", [{ type: "sync", orgId: org.id }]);
    expect(once.explicitAcks).toHaveLength(1);
    const twice = await deliver("billing", [
      { type: "sync", orgId: org.id },
      { type: "sync", orgId: org.id },
    ]);
    expect(twice.explicitAcks).toHaveLength(2);
    expect(await spending()).toEqual(before);
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(700);
    expect(await stub.getStatus()).toMatchObject({ active: 0, limit: PLANS.smb.concurrencyLimit });
  });
});

describe("faults: a Durable Object alarm that fires twice", () => {
  it("ended calls are flushed once, and a re-sent flush (the alarm died after sending) is counted once", async () => {
    const { org } = await tenant();
    await onPlan(org.id, "smb", { balanceCents: 10_000 });
    const stub = concurrencyOf(env, org.id);
    const id = callId();
    expect((await stub.acquire(org.id, id, voice, MINUTE)).granted).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    const record = await stub.release(id);
    expect(record).not.toBeNull();

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runDurableObjectAlarm(stub);
    // As if the alarm had sent the batch and then been killed before deleting its outbox row:
    // the row is still there, so the next alarm sends the same call again.
    await runInDurableObject(stub, async (_o, state) => {
      state.storage.sql.exec("INSERT OR IGNORE INTO ended (call_id, record) VALUES (?, ?)", id, JSON.stringify(record));
      await state.storage.setAlarm(Date.now() + MINUTE);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(
      await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("SELECT count(*) AS n FROM ended").one().n),
    ).toBe(0);

    await waitFor(async () => (await usageOf(org.id))?.voiceCalls === 1);
    await waitFor(async () => (await usageChargesOf(org.id)).length === 1);
    // Let any duplicate still in the queue arrive.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await usageOf(org.id)).toMatchObject({ voiceCalls: 1 });
    expect(await db().select().from(callRecords).where(eq(callRecords.orgId, org.id))).toHaveLength(1);
    expect(await usageChargesOf(org.id)).toHaveLength(1);
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(10_000 - PLANS.smb.rates.voiceCentsPerMinute);
  });
});

describe("faults: a D1 batch that fails half-way leaves nothing written", () => {
  it("a ledger booking whose last statement violates a constraint books nothing and moves no balance", async () => {
    const { org } = await tenant();
    const other = await tenant();
    const before = await accountOf(db(), org.id);
    const reference = `test:${uniq("half")}`;
    const d = db();
    await expect(
      runBatch(d, [
        bookingStatement(d, { orgId: org.id, kind: "adjustment", amountCents: 5_000, reference, description: "Half" }),
        // Another org's slug: the unique index fails this last statement, and with it the batch.
        d.update(organizations).set({ slug: other.org.slug }).where(eq(organizations.id, org.id)),
      ]),
    ).rejects.toThrow();
    expect(await db().select().from(ledgerEntries).where(eq(ledgerEntries.reference, reference))).toHaveLength(0);
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(before?.balanceCents);
  });
});

const treeRows = async (orgId: string) =>
  (await env.DB.prepare("SELECT org_id FROM org_tree WHERE org_id = ?").bind(orgId).all()).results;

describe("faults: org creation's batch failing on its last statement", () => {
  it("a slug taken at the last moment leaves no org, tree row, membership, outbox row, account or trial credit", async () => {
    const owner = await createUser();
    const taken = await tenant();
    const input = { name: "Half Written", creatorUserId: owner.id, creatorRoles: ["owner" as const] };
    const row = buildOrganizationRow(input, uniq("half"));
    const d = db();
    const stmts = organizationStatements(d, orgLifecycle, row, input);
    // Every capability's creation rows, then a conflicting write as the batch's last statement.
    expect(stmts.length).toBeGreaterThan(3);
    await expect(
      runBatch(d, [
        ...stmts,
        d.update(organizations).set({ slug: taken.org.slug }).where(eq(organizations.id, row.id)),
      ]),
    ).rejects.toThrow(/UNIQUE/);
    const left = await Promise.all([
      d.select().from(organizations).where(eq(organizations.id, row.id)),
      treeRows(row.id),
      d.select().from(memberships).where(eq(memberships.orgId, row.id)),
      d.select().from(provisioningJobs).where(eq(provisioningJobs.orgId, row.id)),
      d.select().from(billingAccounts).where(eq(billingAccounts.orgId, row.id)),
      d.select().from(ledgerEntries).where(eq(ledgerEntries.orgId, row.id)),
    ]);
    expect(left.map((rows) => rows.length)).toEqual([0, 0, 0, 0, 0, 0]);
    // The same statements without the conflict commit whole (so the ones above were real).
    await runBatch(d, organizationStatements(d, orgLifecycle, row, input));
    expect(await treeRows(row.id)).toHaveLength(1);
    expect(await d.select().from(provisioningJobs).where(eq(provisioningJobs.orgId, row.id))).toHaveLength(1);
    expect(await d.select().from(billingAccounts).where(eq(billingAccounts.orgId, row.id))).toHaveLength(1);
    expect(await d.select().from(memberships).where(eq(memberships.orgId, row.id))).toHaveLength(1);
  });
});

describe("faults: the Durable Object evicted between acquire and release", () => {
  it("the lease survives the eviction: it still holds its slot, is released once, and metered once", async () => {
    const { org } = await tenant();
    const id = callId();
    expect((await concurrencyOf(env, org.id).acquire(org.id, id, voice, MINUTE)).granted).toBe(true);
    await abortAllDurableObjects();

    const stub = concurrencyOf(env, org.id);
    // Still held after the restart: the free limit of 1 refuses a second call.
    expect(await stub.getStatus()).toMatchObject({ active: 1 });
    expect((await stub.acquire(org.id, callId(), voice, MINUTE)).granted).toBe(false);
    // The same call id retried after the eviction gets the same lease, not a second slot.
    expect(await stub.acquire(org.id, id, voice, MINUTE)).toMatchObject({ granted: true, active: 1 });

    expect(await stub.release(id)).toMatchObject({ id, endReason: "completed" });
    await abortAllDurableObjects();
    expect(await concurrencyOf(env, org.id).release(id)).toBeNull();
    expect(await concurrencyOf(env, org.id).getStatus()).toMatchObject({ active: 0 });

    // The ended call waited in storage across the second eviction and is flushed once.
    await runDurableObjectAlarm(concurrencyOf(env, org.id));
    await waitFor(async () => (await usageOf(org.id))?.voiceCalls === 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await db().select().from(callRecords).where(eq(callRecords.orgId, org.id))).toHaveLength(1);
  });

  it("a lease whose holder vanished during an eviction is reclaimed by the alarm, and its slot freed", async () => {
    const { org } = await tenant();
    const id = callId();
    await concurrencyOf(env, org.id).acquire(org.id, id, voice, MINUTE);
    await abortAllDurableObjects();
    const stub = concurrencyOf(env, org.id);
    await runInDurableObject(stub, (_o, state) => {
      state.storage.sql.exec("UPDATE leases SET expires_at = ? WHERE call_id = ?", Date.now() - 1, id);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.acquire(org.id, callId(), voice, MINUTE)).granted).toBe(true);
    const rec = await waitFor(async () => (await db().select().from(callRecords).where(eq(callRecords.id, id)))[0]);
    expect(rec).toMatchObject({ endReason: "lease_expired" });
  });
});

describe("faults: an adapter answering 5xx", () => {
  const message = (key: string, to: string): EmailMessage => ({
    key,
    to,
    template: "sign_in_code",
    data: { code: "123456" },
  });
  const mailEnv = (path: string) => ({
    ...env,
    MAIL_PROVIDER: "http",
    MAIL_API_URL: `http://mail.fake.test${path}`,
    MAIL_API_KEY: "fake-mail-key",
  });

  it("mail: a 503 is retried; the retry sends it and records it once, and a later redelivery sends nothing", async () => {
    const to = `${uniq("flaky")}@example.com`;
    const body = message(uniq("key"), to);
    const failed = await deliver("email", [body], { env: mailEnv("/fail") });
    expect(failed.retryMessages).toHaveLength(1);
    expect(await db().select().from(emailDeliveries).where(eq(emailDeliveries.recipient, to))).toHaveLength(0);

    const retried = await deliver("email", [body], { attempts: 2, env: mailEnv("/send") });
    expect(retried.explicitAcks).toHaveLength(1);
    // A redelivery, even to a provider now down, is acknowledged without a send.
    const again = await deliver("email", [body], { attempts: 3, env: mailEnv("/fail") });
    expect(again.explicitAcks).toHaveLength(1);
    expect(await db().select().from(emailDeliveries).where(eq(emailDeliveries.recipient, to))).toHaveLength(1);
  });
});
