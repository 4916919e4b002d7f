import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountOf, latestEntries } from "../../src/billing/ledger";
import { addMember, call, createOrg, createUser, db, expectProblem, onPlan, tenant, waitFor } from "../harness";

const pathOf = (url: string) => new URL(url).pathname;

/** Checkout through the local provider's page: GET shows it, POST (the Pay button) completes it. */
async function pay(url: string) {
  const page = await call("GET", pathOf(url));
  expect(page.status).toBe(200);
  const paid = await call("POST", pathOf(url), { body: {} });
  expect(paid.status).toBe(200);
  expect(paid.text).toContain("Payment complete");
  return { page, paid };
}

async function subscribed(plan: "smb" | "agency") {
  const t = await tenant();
  const res = await call("POST", "/admin/billing/checkout", { token: t.key, body: { plan } });
  expect(res.status).toBe(200);
  await pay(res.json.url);
  return t;
}

const subscription = (key: string, body: unknown) => call("POST", "/admin/billing/subscription", { token: key, body });

describe("POST /admin/billing/checkout", () => {
  it("a completed checkout puts the org on the plan, and the Durable Object learns its limit through the queue", async () => {
    const { org, key } = await tenant();
    expect((await call("GET", "/admin/concurrency", { token: key })).json).toMatchObject({ limit: 1 });
    const res = await call("POST", "/admin/billing/checkout", { token: key, body: { plan: "agency" } });
    expect(res.status).toBe(200);
    expect(res.json.url).toMatch(new RegExp(`^${env.APP_URL}/billing/local/checkout/cs_`));
    const page = await call("GET", pathOf(res.json.url));
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain("agency");
    expect(page.text).toContain(org.name);
    expect(page.text).toContain("Pay");
    // Nothing changes before the payment.
    expect((await accountOf(db(), org.id))?.plan).toBe("free");
    await call("POST", pathOf(res.json.url), { body: {} });
    const account = await accountOf(db(), org.id);
    expect(account).toMatchObject({ plan: "agency", status: "active", subscriptionId: expect.stringMatching(/^sub_/) });
    await waitFor(async () => (await call("GET", "/admin/concurrency", { token: key })).json.limit === 20);
  });

  it("refuses enterprise (422 contact_sales), free and the plan in force (409)", async () => {
    const { org, key } = await tenant();
    expectProblem(
      await call("POST", "/admin/billing/checkout", { token: key, body: { plan: "enterprise" } }),
      422,
      "contact_sales",
    );
    expectProblem(
      await call("POST", "/admin/billing/checkout", { token: key, body: { plan: "free" } }),
      409,
      "subscription_conflict",
    );
    await onPlan(org.id, "smb");
    const same = await call("POST", "/admin/billing/checkout", { token: key, body: { plan: "smb" } });
    expectProblem(same, 409, "subscription_conflict");
    expectProblem(
      await call("POST", "/admin/billing/checkout", { token: key, body: { plan: "nope" } }),
      400,
      "validation_failed",
    );
  });

  it("a child billed to its parent is refused: the parent pays", async () => {
    const { owner, org } = await tenant();
    await onPlan(org.id, "agency");
    const child = await createOrg(owner, { parentId: org.id });
    await env.DB.prepare("UPDATE organizations SET billing_mode = 'parent' WHERE id = ?").bind(child.id).run();
    const res = await call("POST", "/admin/billing/checkout", {
      token: owner.session,
      org: child.id,
      body: { plan: "smb" },
    });
    expectProblem(res, 409, "subscription_conflict");
    expect(res.json.detail).toMatch(/parent/);
  });

  it("members and viewers get 403", async () => {
    const { org } = await tenant();
    for (const role of ["member", "viewer"] as const) {
      const user = await createUser();
      await addMember(org, user, [role]);
      for (const [path, body] of [
        ["/admin/billing/checkout", { plan: "smb" }],
        ["/admin/billing/top-ups", { amount_cents: 1000 }],
        ["/admin/billing/portal", undefined],
        ["/admin/billing/subscription", { action: "cancel" }],
      ] as const) {
        const res = await call("POST", path, { token: user.session, org: org.id, body });
        expect(res.status, `${role} ${path}`).toBe(403);
      }
    }
  });
});

describe("POST /admin/billing/top-ups", () => {
  it("raises the balance once the payment completes, once even when paid twice", async () => {
    const { org, key } = await tenant();
    const before = (await accountOf(db(), org.id))?.balanceCents ?? 0;
    const res = await call("POST", "/admin/billing/top-ups", { token: key, body: { amount_cents: 2500 } });
    expect(res.status).toBe(200);
    const page = await call("GET", pathOf(res.json.url));
    expect(page.text).toContain("$25.00");
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(before);
    await pay(res.json.url);
    await call("POST", pathOf(res.json.url), { body: {} });
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(before + 2500);
    const topUps = (await latestEntries(db(), org.id)).filter((e) => e.kind === "top_up");
    expect(topUps).toHaveLength(1);
    expect(topUps[0]?.reference).toMatch(/^stripe:checkout:cs_/);
  });

  it("bounds the amount (400)", async () => {
    const { key } = await tenant();
    for (const amount_cents of [499, 1_000_001, 12.5, "1000"]) {
      expectProblem(
        await call("POST", "/admin/billing/top-ups", { token: key, body: { amount_cents } }),
        400,
        "validation_failed",
      );
    }
    expect((await call("POST", "/admin/billing/top-ups", { token: key, body: { amount_cents: 500 } })).status).toBe(
      200,
    );
    expect(
      (await call("POST", "/admin/billing/top-ups", { token: key, body: { amount_cents: 1_000_000 } })).status,
    ).toBe(200);
  });
});

describe("POST /admin/billing/portal", () => {
  it("returns the portal's URL, a page of the local provider", async () => {
    const { key } = await tenant();
    const res = await call("POST", "/admin/billing/portal", { token: key });
    expect(res.status).toBe(200);
    expect(res.json.url).toMatch(/\/billing\/local\/portal\/bps_/);
    const page = await call("GET", pathOf(res.json.url));
    expect(page.status).toBe(200);
    expect(page.text).toContain("Billing portal");
  });
});

describe("the local provider's pages", () => {
  it("an unknown session is a 404, and the pages escape what they show", async () => {
    expectProblem(await call("GET", "/billing/local/checkout/cs_nope"), 404, "not_found");
    const { org, key } = await tenant();
    await env.DB.prepare("UPDATE organizations SET name = ? WHERE id = ?").bind("<script>x</script>", org.id).run();
    const res = await call("POST", "/admin/billing/top-ups", { token: key, body: { amount_cents: 900 } });
    const page = await call("GET", pathOf(res.json.url));
    expect(page.text).toContain("&lt;script&gt;x&lt;/script&gt;");
    expect(page.text).not.toContain("<script>x</script>");
  });
});

describe("POST /admin/billing/subscription", () => {
  it("upgrade and downgrade move the subscription between paid plans", async () => {
    const { org, key } = await subscribed("smb");
    const up = await subscription(key, { action: "upgrade", plan: "agency" });
    expect(up.status).toBe(200);
    expect(up.json).toMatchObject({ plan: "agency", status: "active", cancel_at_period_end: false });
    await waitFor(async () => (await call("GET", "/admin/concurrency", { token: key })).json.limit === 20);
    expectProblem(await subscription(key, { action: "upgrade", plan: "smb" }), 409, "subscription_conflict");
    expectProblem(await subscription(key, { action: "upgrade", plan: "agency" }), 409, "subscription_conflict");
    expectProblem(await subscription(key, { action: "upgrade", plan: "enterprise" }), 422, "contact_sales");
    expectProblem(await subscription(key, { action: "upgrade" }), 400, "validation_failed");
    const down = await subscription(key, { action: "downgrade", plan: "smb" });
    expect(down.json).toMatchObject({ plan: "smb", status: "active" });
    expectProblem(await subscription(key, { action: "downgrade", plan: "free" }), 409, "subscription_conflict");
    expectProblem(await subscription(key, { action: "downgrade", plan: "agency" }), 409, "subscription_conflict");
    expect((await accountOf(db(), org.id))?.plan).toBe("smb");
  });

  it("without a paid subscription, upgrade says to start with checkout", async () => {
    const { key } = await tenant();
    const res = await subscription(key, { action: "upgrade", plan: "smb" });
    expectProblem(res, 409, "subscription_conflict");
    expect(res.json.detail).toMatch(/checkout/);
    expectProblem(await subscription(key, { action: "cancel" }), 409, "subscription_conflict");
    expectProblem(await subscription(key, { action: "renew" }), 409, "subscription_conflict");
    expectProblem(await subscription(key, { action: "revive" }), 409, "subscription_conflict");
  });

  it("cancel schedules the end, renew undoes it; each refused when it does not apply", async () => {
    const { key } = await subscribed("smb");
    expectProblem(await subscription(key, { action: "renew" }), 409, "subscription_conflict");
    const canceled = await subscription(key, { action: "cancel" });
    expect(canceled.status).toBe(200);
    expect(canceled.json).toMatchObject({ plan: "smb", status: "active", cancel_at_period_end: true });
    expect(canceled.json.current_period_end).toMatch(/^\d{4}-/);
    expectProblem(await subscription(key, { action: "cancel" }), 409, "subscription_conflict");
    expectProblem(await subscription(key, { action: "revive" }), 409, "subscription_conflict");
    const renewed = await subscription(key, { action: "renew" });
    expect(renewed.json).toMatchObject({ plan: "smb", status: "active", cancel_at_period_end: false });
    expectProblem(await subscription(key, { action: "renew" }), 409, "subscription_conflict");
  });

  it("revive brings a canceled subscription back on its last paid plan", async () => {
    const { org, key } = await subscribed("agency");
    const account = await accountOf(db(), org.id);
    // The subscription ends (as its customer.subscription.deleted webhook would say).
    await env.DB.prepare("UPDATE billing_accounts SET plan = 'free', status = 'canceled' WHERE org_id = ?")
      .bind(org.id)
      .run();
    expectProblem(await subscription(key, { action: "cancel" }), 409, "subscription_conflict");
    expectProblem(await subscription(key, { action: "renew" }), 409, "subscription_conflict");
    const revived = await subscription(key, { action: "revive" });
    expect(revived.status).toBe(200);
    expect(revived.json).toMatchObject({ plan: "agency", status: "active", cancel_at_period_end: false });
    const after = await accountOf(db(), org.id);
    expect(after?.subscriptionId).not.toBe(account?.subscriptionId);
    expectProblem(await subscription(key, { action: "revive" }), 409, "subscription_conflict");
  });
});
