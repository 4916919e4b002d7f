import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bookingStatement } from "../../src/billing/ledger";
import { syncOrg, syncPayer } from "../../src/billing/sync";
import { call, createKey, createOrg, db, expectProblem, onPlan, tenant, uniq, waitFor } from "../harness";

const startCall = (token: string) =>
  call("POST", "/admin/calls", { token, body: { channel: "voice", direction: "outbound" } });

/** A top-up as the webhook path books it: one ledger entry, then the payer's Durable Objects learn. */
async function topUp(orgId: string, cents: number, reference = `test:topup:${uniq("t")}`) {
  await db().batch([
    bookingStatement(db(), { orgId, kind: "top_up", amountCents: cents, reference, description: "Top-up" }),
  ]);
  await syncPayer(env, db(), orgId);
}

async function endCall(token: string, id: string) {
  expect((await call("POST", `/admin/calls/${id}/end`, { token })).status).toBe(200);
}

describe("the 402 cut-off and its lifting", () => {
  it("a prepaid org at zero balance cannot start calls; a top-up lifts it at once", async () => {
    const { org, key } = await tenant();
    await onPlan(org.id, "smb", { balanceCents: 0 });
    expectProblem(await startCall(key), 402, "insufficient_balance");
    await onPlan(org.id, "smb", { balanceCents: -50 });
    expectProblem(await startCall(key), 402, "insufficient_balance");
    await topUp(org.id, 500);
    const started = await startCall(key);
    expect(started.status).toBe(201);
    await endCall(key, started.json.id);
  });

  it("a child billed to its agency is cut off when the agency's balance runs out, and lifted by its top-up", async () => {
    const agency = await tenant();
    const child = await createOrg(agency.owner, { parentId: agency.org.id });
    const childKey = (await createKey(child, { createdBy: agency.owner.id })).token;
    await onPlan(agency.org.id, "agency", { balanceCents: 1_000 });
    const ok = await startCall(childKey);
    expect(ok.status).toBe(201);
    await endCall(childKey, ok.json.id);

    await onPlan(agency.org.id, "agency", { balanceCents: 0 });
    expectProblem(await startCall(childKey), 402, "insufficient_balance");
    expectProblem(await startCall(agency.key), 402, "insufficient_balance");
    // The child's own balance (none, it pays through its agency) is not what counts.
    await topUp(child.id, 10_000);
    await syncOrg(env, db(), child.id);
    expectProblem(await startCall(childKey), 402, "insufficient_balance");

    await topUp(agency.org.id, 2_000);
    const lifted = await waitFor(async () => {
      const r = await startCall(childKey);
      return r.status === 201 ? r : undefined;
    }, 3_000);
    await endCall(childKey, lifted.json.id);
  });

  it("the free trial's end stops calls with trial_ended", async () => {
    const { org, key } = await tenant();
    await env.DB.prepare("UPDATE billing_accounts SET plan = 'free', trial_ends_at = ? WHERE org_id = ?")
      .bind(Date.now() - 1_000, org.id)
      .run();
    await syncOrg(env, db(), org.id);
    expectProblem(await startCall(key), 402, "trial_ended");
    // A paid plan has no trial to end.
    await onPlan(org.id, "smb", { balanceCents: 100 });
    const started = await startCall(key);
    expect(started.status).toBe(201);
    await endCall(key, started.json.id);
  });

  it("a new org can call at once on its trial credit", async () => {
    const { org, key } = await tenant();
    await syncOrg(env, db(), org.id);
    const started = await startCall(key);
    expect(started.status).toBe(201);
    await endCall(key, started.json.id);
  });

  it("enterprise is invoiced: a negative balance never stops its calls (nor its children's)", async () => {
    const ent = await tenant();
    const child = await createOrg(ent.owner, { parentId: ent.org.id });
    const childKey = (await createKey(child, { createdBy: ent.owner.id })).token;
    await onPlan(ent.org.id, "enterprise", { balanceCents: -100_000 });
    for (const token of [ent.key, childKey]) {
      const started = await startCall(token);
      expect(started.status).toBe(201);
      await endCall(token, started.json.id);
    }
  });
});
