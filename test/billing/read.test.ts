import { describe, expect, it } from "vitest";
import { bookingStatement } from "../../src/billing/ledger";
import { FREE_TRIAL, PLANS } from "../../src/billing/plans";
import { addMember, call, createOrg, createUser, db, expectProblem, onPlan, tenant, uniq } from "../harness";

describe("GET /admin/billing", () => {
  it("a new org is on the free trial with its trial credit, paying its own way", async () => {
    const { owner, org } = await tenant();
    const res = await call("GET", "/admin/billing", { token: owner.session, org: org.id });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      plan: "free",
      status: "trialing",
      cancel_at_period_end: false,
      current_period_end: null,
      balance: { amount_cents: FREE_TRIAL.creditCents, currency: "usd" },
      concurrency_limit: 1,
      billing_mode: "own",
      payer: { id: org.id, name: org.name, slug: org.slug, self: true },
      provider: "local",
      stripe_customer_id: null,
    });
    const trialEnd = Date.parse(res.json.trial_ends_at);
    expect(trialEnd - org.createdAt).toBe(FREE_TRIAL.days * 86_400_000);
  });

  it("any member may read it (organizations:read); an outsider may not", async () => {
    const { org } = await tenant();
    const member = await createUser();
    await addMember(org, member, ["member"]);
    expect((await call("GET", "/admin/billing", { token: member.session, org: org.id })).status).toBe(200);
    const outsider = await createUser();
    expectProblem(await call("GET", "/admin/billing", { token: outsider.session, org: org.id }), 403, "not_a_member");
  });

  it("a child billed to its agency shows the agency as payer and its plan, not the agency's money", async () => {
    const agency = await tenant();
    await onPlan(agency.org.id, "agency", { balanceCents: 12_345 });
    const child = await createOrg(agency.owner, { parentId: agency.org.id, slug: uniq("client-") });
    const res = await call("GET", "/admin/billing", { token: agency.owner.session, org: child.id });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      plan: "agency",
      billing_mode: "parent",
      payer: { id: agency.org.id, self: false },
      // Its own ledger: a client billed to its agency has no trial credit of its own.
      balance: { amount_cents: 0 },
      trial_ends_at: null,
    });
    expect(JSON.stringify(res.json)).not.toContain("12345");
  });
});

describe("GET /admin/billing/plans", () => {
  it("lists the catalogue and marks the plan in force, for any member", async () => {
    const { org } = await tenant();
    const viewer = await createUser();
    await addMember(org, viewer, ["viewer"]);
    const res = await call("GET", "/admin/billing/plans", { token: viewer.session, org: org.id });
    expect(res.status).toBe(200);
    expect(res.json.data.map((p: { id: string }) => p.id)).toEqual(["free", "smb", "agency", "enterprise"]);
    const agency = res.json.data.find((p: { id: string }) => p.id === "agency");
    expect(agency).toMatchObject({
      concurrency_limit: PLANS.agency.concurrencyLimit,
      features: ["client_management", "white_label"],
      monthly_price_cents: 125_000,
      checkout: true,
      current: false,
    });
    expect(res.json.data.find((p: { current: boolean }) => p.current).id).toBe("free");
    expect(res.json.data.find((p: { id: string }) => p.id === "enterprise")).toMatchObject({
      checkout: false,
      prepaid: false,
      monthly_price_cents: null,
    });
  });
});

describe("GET /admin/billing/ledger", () => {
  it("shows every entry newest first with the running balance, page by page", async () => {
    const { owner, org } = await tenant();
    for (const [i, amount] of [1000, -250, 40].entries()) {
      await db().batch([
        bookingStatement(db(), {
          orgId: org.id,
          kind: amount > 0 ? "top_up" : "usage_charge",
          amountCents: amount,
          reference: `test:${org.id}:${i}`,
          description: `entry ${i}`,
          usageEventKey: amount < 0 ? "call:call_abc" : null,
          sourceOrgId: amount < 0 ? org.id : null,
        }),
      ]);
    }
    const first = await call("GET", "/admin/billing/ledger?limit=2", { token: owner.session, org: org.id });
    expect(first.status).toBe(200);
    expect(first.json.data).toMatchObject([
      { kind: "top_up", amount: { amount_cents: 40 }, balance_after_cents: 1290, call_id: null },
      { kind: "usage_charge", amount: { amount_cents: -250 }, balance_after_cents: 1250, call_id: "call_abc" },
    ]);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const second = await call("GET", `/admin/billing/ledger?limit=2&cursor=${first.json.next_cursor}`, {
      token: owner.session,
      org: org.id,
    });
    expect(second.json.data).toMatchObject([
      { kind: "top_up", amount: { amount_cents: 1000 }, balance_after_cents: 1500 },
      { kind: "trial_credit", amount: { amount_cents: FREE_TRIAL.creditCents }, balance_after_cents: 500 },
    ]);
    expect(second.json.next_cursor).toBeNull();
    const billing = await call("GET", "/admin/billing", { token: owner.session, org: org.id });
    expect(billing.json.balance.amount_cents).toBe(1290);
  });

  it("booking the same reference twice books it once", async () => {
    const { owner, org } = await tenant();
    const booking = {
      orgId: org.id,
      kind: "top_up" as const,
      amountCents: 700,
      reference: `test:${org.id}:once`,
      description: "once",
    };
    await db().batch([bookingStatement(db(), booking)]);
    await db().batch([bookingStatement(db(), booking)]);
    const res = await call("GET", "/admin/billing/ledger", { token: owner.session, org: org.id });
    expect(res.json.data.filter((e: { kind: string }) => e.kind === "top_up")).toHaveLength(1);
    expect(res.json.data[0].balance_after_cents).toBe(FREE_TRIAL.creditCents + 700);
  });

  it("needs billing:manage: members and viewers get 403; a forged cursor is a 400", async () => {
    const { owner, org } = await tenant();
    for (const role of ["member", "viewer"] as const) {
      const u = await createUser();
      await addMember(org, u, [role]);
      expectProblem(
        await call("GET", "/admin/billing/ledger", { token: u.session, org: org.id }),
        403,
        "insufficient_scope",
      );
    }
    expectProblem(
      await call("GET", "/admin/billing/ledger?cursor=AAAA", { token: owner.session, org: org.id }),
      400,
      "validation_failed",
    );
  });

  it("the ledger refuses to change an entry's money", async () => {
    const { org } = await tenant();
    await expect(
      db().$client.prepare("UPDATE ledger_entries SET amount_cents = 1000000 WHERE org_id = ?").bind(org.id).run(),
    ).rejects.toThrow(/ledger_append_only/);
  });
});
