import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { callRecords } from "../../src/db/schema";
import { concurrencyOf } from "../../src/calls/client";
import type { AcquireResult, Lease } from "../../src/calls/concurrency-object";
import { newId } from "../../src/lib/crypto";
import { createOrg, createUser, db, tenant, waitFor } from "../harness";

const voice = { channel: "voice" as const, direction: "outbound" as const, agentId: null };
const MINUTE = 60_000;

/** Backdates a lease so it is expired while its alarm is still a minute away. */
async function expire(stub: ReturnType<typeof concurrencyOf>, callId: string): Promise<void> {
  await runInDurableObject(stub, (_o, state) => {
    state.storage.sql.exec("UPDATE leases SET expires_at = ? WHERE call_id = ?", Date.now() - 1, callId);
  });
}

/** The lease of a granted acquire; a refused one fails the test. */
function leaseOf(r: AcquireResult): Lease {
  if (!r.granted) throw new Error(`expected the acquire to be granted, got ${JSON.stringify(r)}`);
  return r.lease;
}

/** A fresh org and its object (a real org, so ended calls can be metered into D1). */
async function freshObject() {
  const org = await createOrg(await createUser());
  return { orgId: org.id, stub: concurrencyOf(env, org.id) };
}

describe("OrgConcurrency (the per-org Durable Object)", () => {
  it("many parallel acquires grant exactly `limit`", async () => {
    const { orgId, stub } = await freshObject();
    await stub.configure(orgId, 3);
    const results = await Promise.all(
      Array.from({ length: 40 }, () => stub.acquire(orgId, newId("call"), voice, MINUTE)),
    );
    expect(results.filter((r) => r.granted)).toHaveLength(3);
    const refused = results.flatMap((r) => (r.granted ? [] : [r]));
    expect(refused).toHaveLength(37);
    for (const r of refused) expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await stub.getStatus()).toEqual({ active: 3, limit: 3, peak: 3 });
  });

  it("an unconfigured org gets the free plan's limit of 1", async () => {
    const { orgId, stub } = await freshObject();
    expect((await stub.acquire(orgId, newId("call"), voice, MINUTE)).granted).toBe(true);
    expect((await stub.acquire(orgId, newId("call"), voice, MINUTE)).granted).toBe(false);
  });

  it("release frees the slot; releasing twice finds nothing", async () => {
    const { orgId, stub } = await freshObject();
    const a = await stub.acquire(orgId, "call_a", voice, MINUTE);
    expect(a.granted).toBe(true);
    expect((await stub.acquire(orgId, "call_b", voice, MINUTE)).granted).toBe(false);
    expect(await stub.release("call_a")).toMatchObject({ id: "call_a", endReason: "completed" });
    expect(await stub.release("call_a")).toBeNull();
    expect((await stub.acquire(orgId, "call_b", voice, MINUTE)).granted).toBe(true);
  });

  it("acquiring a call id already held returns the same lease (a retried request takes no second slot)", async () => {
    const { orgId, stub } = await freshObject();
    await stub.configure(orgId, 2);
    const first = await stub.acquire(orgId, "call_same", voice, MINUTE);
    const again = await stub.acquire(orgId, "call_same", voice, MINUTE);
    expect(again).toMatchObject({ granted: true, active: 1 });
    expect(leaseOf(again).startedAt).toBe(leaseOf(first).startedAt);
  });

  it("heartbeat extends a live lease and refuses an expired or unknown one", async () => {
    const { orgId, stub } = await freshObject();
    const lease = leaseOf(await stub.acquire(orgId, "call_hb", voice, 1_000));
    const hb = await stub.heartbeat("call_hb", MINUTE);
    expect(hb.ok && hb.lease.expiresAt).toBeGreaterThan(lease.expiresAt);
    expect(await stub.heartbeat("call_nope", MINUTE)).toEqual({ ok: false, reason: "not_found" });
    await stub.configure(orgId, 5);
    expect((await stub.acquire(orgId, "call_x", voice, MINUTE)).granted).toBe(true);
    await expire(stub, "call_x");
    expect(await stub.heartbeat("call_x", MINUTE)).toEqual({ ok: false, reason: "expired" });
  });

  it("lowering the limit never ends running calls; it only refuses new ones", async () => {
    const { orgId, stub } = await freshObject();
    await stub.configure(orgId, 3);
    for (const id of ["call_1", "call_2", "call_3"])
      expect((await stub.acquire(orgId, id, voice, MINUTE)).granted).toBe(true);
    await stub.configure(orgId, 1);
    expect(await stub.getStatus()).toMatchObject({ active: 3, limit: 1 });
    expect((await stub.heartbeat("call_2", MINUTE)).ok).toBe(true);
    expect((await stub.acquire(orgId, "call_4", voice, MINUTE)).granted).toBe(false);
    await stub.release("call_1");
    await stub.release("call_2");
    expect((await stub.acquire(orgId, "call_4", voice, MINUTE)).granted).toBe(false);
    await stub.release("call_3");
    expect((await stub.acquire(orgId, "call_4", voice, MINUTE)).granted).toBe(true);
  });

  it("the alarm reclaims expired leases, records them as ended, and running it again changes nothing", async () => {
    const { org } = await tenant();
    const stub = concurrencyOf(env, org.id);
    await stub.configure(org.id, 2);
    expect((await stub.acquire(org.id, "call_vanished", voice, MINUTE)).granted).toBe(true);
    expect((await stub.acquire(org.id, "call_alive", voice, MINUTE)).granted).toBe(true);
    await expire(stub, "call_vanished");
    // The expired lease still blocks nothing: it is not counted as active.
    expect(await stub.getStatus()).toMatchObject({ active: 1 });

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql
        .exec<{ call_id: string }>("SELECT call_id FROM leases")
        .toArray()
        .map((r) => r.call_id),
    );
    expect(left).toEqual(["call_alive"]);
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);

    const rec = await waitFor(
      async () => (await db().select().from(callRecords).where(eq(callRecords.orgId, org.id)))[0],
    );
    expect(rec).toMatchObject({ id: "call_vanished", endReason: "lease_expired", channel: "voice" });
    await new Promise((res) => setTimeout(res, 1500));
    expect(await db().select().from(callRecords).where(eq(callRecords.orgId, org.id))).toHaveLength(1);
  });

  it("leases survive the object being evicted (they live in storage)", async () => {
    const { orgId, stub } = await freshObject();
    await stub.acquire(orgId, "call_kept", voice, MINUTE);
    const rows = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql.exec("SELECT * FROM leases").toArray(),
    );
    expect(rows).toHaveLength(1);
    // A new stub (as after eviction) sees the same lease.
    expect(await concurrencyOf(env, orgId).getStatus()).toMatchObject({ active: 1 });
  });

  it("destroy() forgets every lease and setting", async () => {
    const { orgId, stub } = await freshObject();
    await stub.configure(orgId, 7);
    await stub.acquire(orgId, "call_gone", voice, MINUTE);
    await stub.destroy();
    expect(await stub.getStatus()).toEqual({ active: 0, limit: 1, peak: 0 });
  });
});
