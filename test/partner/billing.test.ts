import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountOf, bookingStatement } from "../../src/billing/ledger";
import { syncOrg, syncPayer } from "../../src/billing/sync";
import { PLANS } from "../../src/billing/plans";
import { addMember, call, createKey, createOrg, createUser, db, expectProblem, onPlan, tenant, uniq } from "../harness";
import { deliver } from "../provisioning/helpers";

/** Issue 10: who pays for a child (PUT …/{child_id}/billing), and plan changes pushing limits. */
const P = "/admin/partner-console/organizations";
const put = (token: string, childId: string, body: unknown) => call("PUT", `${P}/${childId}/billing`, { token, body });
const limitOf = async (token: string) => {
  const r = await call("GET", "/admin/concurrency", { token });
  expect(r.status, r.text).toBe(200);
  return r.json.limit as number;
};

async function agencyWithChild() {
  const agency = await tenant();
  const child = await createOrg(agency.owner, { parentId: agency.org.id, slug: uniq("pc-bill-") });
  // After the child exists, so the push reaches it too (provisioning would push it for a later one).
  await onPlan(agency.org.id, "agency", { balanceCents: 10_000 });
  const childKey = (await createKey(child, { createdBy: agency.owner.id })).token;
  return { agency, child, childKey };
}

describe("PUT /admin/partner-console/organizations/{child_id}/billing", () => {
  it("caps a parent-billed child below its agency's limit; GET /admin/concurrency shows it at once; null clears", async () => {
    const { agency, child, childKey } = await agencyWithChild();
    expect(await limitOf(childKey)).toBe(PLANS.agency.concurrencyLimit);
    const res = await put(agency.key, child.id, { billing_mode: "parent", concurrency_limit: 3 });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      billing_mode: "parent",
      concurrency_limit: 3,
      effective_concurrency_limit: 3,
      payer_id: agency.org.id,
    });
    expect(await limitOf(childKey)).toBe(3);
    // Audited in the child's log, in the batch of the change.
    const audit = await env.DB.prepare(
      "SELECT before, after FROM audit_log WHERE org_id = ? AND action = 'organization.updated' ORDER BY created_at DESC",
    )
      .bind(child.id)
      .first<{ before: string; after: string }>();
    expect(JSON.parse(audit?.after ?? "null")).toEqual({ billing_mode: "parent", concurrency_cap: 3 });
    // Absent keeps the cap; null clears it.
    expect((await put(agency.key, child.id, { billing_mode: "parent" })).json.concurrency_limit).toBe(3);
    expect((await put(agency.key, child.id, { billing_mode: "parent", concurrency_limit: null })).json).toMatchObject({
      concurrency_limit: null,
      effective_concurrency_limit: PLANS.agency.concurrencyLimit,
    });
    expect(await limitOf(childKey)).toBe(PLANS.agency.concurrencyLimit);
    expect(await limitOf(agency.key)).toBe(PLANS.agency.concurrencyLimit);
  });

  it("refuses a cap above the payer's plan limit (422) and a negative one (400)", async () => {
    const { agency, child } = await agencyWithChild();
    expectProblem(
      await put(agency.key, child.id, { billing_mode: "parent", concurrency_limit: PLANS.agency.concurrencyLimit + 1 }),
      422,
      "unprocessable",
    );
    expectProblem(
      await put(agency.key, child.id, { billing_mode: "parent", concurrency_limit: -1 }),
      400,
      "validation_failed",
    );
    expectProblem(await put(agency.key, child.id, { billing_mode: "someone" }), 400, "validation_failed");
  });

  it("switching to own: the child pays from its own balance on its own plan (a trial without credit)", async () => {
    const { agency, child, childKey } = await agencyWithChild();
    const res = await put(agency.key, child.id, { billing_mode: "own" });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ billing_mode: "own", payer_id: child.id, effective_concurrency_limit: 1 });
    expect(await limitOf(childKey)).toBe(PLANS.free.concurrencyLimit);
    const account = await accountOf(db(), child.id);
    expect(account?.trialEndsAt).toBeGreaterThan(Date.now());
    expect(account?.balanceCents).toBe(0);
    // Its own balance is empty: refused, although the agency has money.
    const startCall = () =>
      call("POST", "/admin/calls", { token: childKey, body: { channel: "voice", direction: "inbound" } });
    expectProblem(await startCall(), 402, "insufficient_balance");
    await db().batch([
      bookingStatement(db(), {
        orgId: child.id,
        kind: "top_up",
        amountCents: 500,
        reference: `test:${uniq("tu")}`,
        description: "Top-up",
      }),
    ]);
    await syncPayer(env, db(), child.id);
    const started = await startCall();
    expect(started.status, started.text).toBe(201);
    await call("POST", `/admin/calls/${started.json.id}/end`, { token: childKey });

    // And back: the agency pays again, its limit applies.
    const back = await put(agency.key, child.id, { billing_mode: "parent" });
    expect(back.json).toMatchObject({ billing_mode: "parent", payer_id: agency.org.id });
    expect(await limitOf(childKey)).toBe(PLANS.agency.concurrencyLimit);
  });

  it("a grandchild billed to its parent follows its parent when that parent switches to own", async () => {
    const { agency, child } = await agencyWithChild();
    const grandchild = await createOrg(agency.owner, { parentId: child.id });
    const gKey = (await createKey(grandchild, { createdBy: agency.owner.id })).token;
    // What provisioning does for a new org.
    await syncOrg(env, db(), grandchild.id);
    expect(await limitOf(gKey)).toBe(PLANS.agency.concurrencyLimit);
    expect((await put(agency.key, child.id, { billing_mode: "own" })).status).toBe(200);
    expect(await limitOf(gKey)).toBe(PLANS.free.concurrencyLimit);
    const r = await put(agency.key, grandchild.id, { billing_mode: "parent" });
    expect(r.json.payer_id).toBe(child.id);
  });

  it("the partner's own org is not a child (403); outside the subtree is 404; members lack billing:manage (403)", async () => {
    const { agency, child } = await agencyWithChild();
    expectProblem(await put(agency.key, agency.org.id, { billing_mode: "own" }), 403, "forbidden");
    const stranger = await tenant();
    expectProblem(await put(stranger.key, child.id, { billing_mode: "own" }), 404, "not_found");
    const member = await createUser();
    await addMember(agency.org, member, ["member"]);
    const res = await call("PUT", `${P}/${child.id}/billing`, {
      token: member.session,
      org: agency.org.id,
      body: { billing_mode: "own" },
    });
    expect(res.status).toBe(403);
  });
});

describe("plan changes push limits", () => {
  it("an agency's plan shows at once for it and its parent-billed children; a capped child shows its cap", async () => {
    const agency = await tenant();
    const child = await createOrg(agency.owner, { parentId: agency.org.id });
    const capped = await createOrg(agency.owner, { parentId: agency.org.id });
    const childKey = (await createKey(child, { createdBy: agency.owner.id })).token;
    const cappedKey = (await createKey(capped, { createdBy: agency.owner.id })).token;
    await onPlan(agency.org.id, "smb", { balanceCents: 1_000 });
    expect(await limitOf(childKey)).toBe(PLANS.smb.concurrencyLimit);
    expect((await put(agency.key, capped.id, { billing_mode: "parent", concurrency_limit: 2 })).status).toBe(200);

    await onPlan(agency.org.id, "agency");
    expect(await limitOf(agency.key)).toBe(20);
    expect(await limitOf(childKey)).toBe(20);
    expect(await limitOf(cappedKey)).toBe(2);
    expect((await call("GET", "/admin/organization", { token: childKey })).json).toMatchObject({
      plan: "agency",
      concurrency_limit: 20,
    });
  });
});

describe("partner usage view: charges per child", () => {
  it("scope=single shows the child's usage charges in the window, booked to its agency", async () => {
    const { agency, child } = await agencyWithChild();
    const now = Date.now();
    await deliver("usage", [
      {
        type: "calls_ended",
        orgId: child.id,
        calls: [
          {
            id: "call_pcview1",
            channel: "voice",
            direction: "inbound",
            agentId: null,
            startedAt: now - 150_000,
            endedAt: now,
            endReason: "completed",
          },
        ],
      },
    ]);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const window = `from=${day(now - 86_400_000)}&to=${day(now + 86_400_000)}`;
    const res = await call(
      "GET",
      `${P.replace("/organizations", "")}/usage-summary?${window}&scope=single&org_id=${child.id}`,
      {
        token: agency.key,
      },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ voice_calls: 1, charges_cents: 3 * PLANS.agency.rates.voiceCentsPerMinute });
    const agencyOwn = await call(
      "GET",
      `${P.replace("/organizations", "")}/usage-summary?${window}&scope=single&org_id=${agency.org.id}`,
      { token: agency.key },
    );
    expect(agencyOwn.json.charges_cents).toBe(0);
  });
});
