import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recheckDomains } from "../../src/domains/service";
import worker from "../../src/worker";
import { call, createUser, expectProblem, tenant, uniq } from "../harness";
import { partnerTree } from "../partner/fixtures";
import { activeDomain, domainRow, makeDue, setDns } from "./helpers";

const D = "/admin/organization/domain";
const HOUR = 3_600_000;

describe("PUT /admin/organization/domain: validation", () => {
  it("lower-cases, drops a trailing dot and stores IDN as punycode; answers the records to create", async () => {
    const t = await tenant();
    const res = await call("PUT", D, {
      token: t.owner.session,
      org: t.org.id,
      body: { domain: "Bücher.Example.COM." },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      domain: "xn--bcher-kva.example.com",
      status: "pending",
      reason: null,
      cname_target: "127.0.0.1",
      checked_at: null,
    });
    expect(res.json.verification).toEqual([
      {
        type: "TXT",
        name: "_anyreach-challenge.xn--bcher-kva.example.com",
        value: expect.stringMatching(/^anyreach-verify=[A-Za-z0-9]{32}$/),
      },
    ]);
    const org = await call("GET", "/admin/organization", { token: t.owner.session, org: t.org.id });
    expect(org.json).toMatchObject({ domain: "xn--bcher-kva.example.com", domain_setup_status: "pending" });
    // The same domain again changes nothing (same token).
    const again = await call("PUT", D, { token: t.key, body: { domain: "xn--bcher-kva.example.com" } });
    expect(again.json.verification).toEqual(res.json.verification);
  });

  it.each([
    "nodot",
    "-lead.example.com",
    "trail-.example.com",
    "a..example.com",
    "http://x.example.com",
    "x.example.com:8443",
    "x.example.com/path",
    "*.example.com",
    "user@x.example.com",
    "under_score.example.com",
    "1.2.3.4",
    "[::1]",
    `${"a".repeat(64)}.example.com`,
    `${"abcdefghi.".repeat(26)}com`,
    " ",
  ])("refuses %j with 422", async (domain) => {
    const t = await tenant();
    const res = await call("PUT", D, { token: t.key, body: { domain } });
    expectProblem(res, 422, "unprocessable");
    expect(res.json.errors[0].field).toBe("domain");
  });

  it.each(["localhost", "app.localhost", "127.0.0.1", "anything.workers.dev", "deep.x.workers.dev"])(
    "refuses the product host %s and its subdomains (422)",
    async (domain) => {
      const t = await tenant();
      expectProblem(await call("PUT", D, { token: t.key, body: { domain } }), 422, "unprocessable");
    },
  );

  it("needs organizations:manage (a viewer gets 403) and a body (400)", async () => {
    const t = await tenant();
    const viewer = await createUser();
    await env.DB.prepare("INSERT INTO memberships (org_id, user_id, roles, created_at) VALUES (?, ?, 'viewer', ?)")
      .bind(t.org.id, viewer.id, Date.now())
      .run();
    const body = { domain: `${uniq("v")}.example.com` };
    expectProblem(await call("PUT", D, { token: viewer.session, org: t.org.id, body }), 403, "insufficient_scope");
    expectProblem(await call("PUT", D, { token: t.key, body: {} }), 400, "validation_failed");
    expectProblem(await call("GET", D, { token: t.key }), 404, "not_found");
  });
});

describe("uniqueness", () => {
  it("two orgs claiming one domain at once: exactly one wins, the other gets 409 domain_taken", async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([tenant(), tenant()]);
      const domain = `${uniq("race")}.example.com`;
      const results = await Promise.all([
        call("PUT", D, { token: a.key, body: { domain } }),
        call("PUT", D, { token: b.key, body: { domain } }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409);
      if (loser) expectProblem(loser, 409, "domain_taken");
      const owners = await env.DB.prepare("SELECT id FROM organizations WHERE domain = ?").bind(domain).all();
      expect(owners.results).toHaveLength(1);
    }
  });

  it("an org has at most one domain: claiming another replaces it and frees the first", async () => {
    const [a, b] = [await tenant(), await tenant()];
    const first = `${uniq("one")}.example.com`;
    const second = `${uniq("two")}.example.com`;
    expect((await call("PUT", D, { token: a.key, body: { domain: first } })).status).toBe(200);
    expectProblem(await call("PUT", D, { token: b.key, body: { domain: first } }), 409, "domain_taken");
    expect((await call("PUT", D, { token: a.key, body: { domain: second } })).json.domain).toBe(second);
    expect((await call("PUT", D, { token: b.key, body: { domain: first } })).status).toBe(200);
    const rows = await env.DB.prepare("SELECT domain FROM org_domains WHERE org_id = ?").bind(a.org.id).all();
    expect(rows.results).toEqual([{ domain: second }]);
  });
});

describe("squatting", () => {
  it("a domain another org failed to verify can be claimed (it takes the claim over)", async () => {
    const [squatter, owner] = [await tenant(), await tenant()];
    const domain = `${uniq("squat")}.example.com`;
    await call("PUT", D, { token: squatter.key, body: { domain } });
    // Pending: still held.
    expectProblem(await call("PUT", D, { token: owner.key, body: { domain } }), 409, "domain_taken");
    expect((await call("POST", `${D}/verify`, { token: squatter.key })).json.status).toBe("failed");
    const taken = await call("PUT", D, { token: owner.key, body: { domain } });
    expect(taken.json).toMatchObject({ domain, status: "pending" });
    expectProblem(await call("GET", D, { token: squatter.key }), 404, "not_found");
    expect((await call("GET", "/admin/organization", { token: squatter.key })).json).toMatchObject({
      domain: null,
      domain_setup_status: "none",
    });
  });
});

describe("POST /admin/organization/domain/verify (local resolver)", () => {
  it("missing record → failed with a reason; wrong value → failed; the right TXT → active", async () => {
    const t = await tenant();
    const domain = `${uniq("v")}.example.com`;
    const put = await call("PUT", D, { token: t.key, body: { domain } });
    const [record] = put.json.verification;

    const missing = await call("POST", `${D}/verify`, { token: t.key });
    expect(missing.status).toBe(200);
    expect(missing.json).toMatchObject({ status: "failed", reason: `No TXT record found at ${record.name}.` });
    expect(missing.json.checked_at).toEqual(expect.any(String));
    expect((await call("GET", "/admin/organization", { token: t.key })).json.domain_setup_status).toBe("failed");

    await setDns(record.name, "anyreach-verify=wrong");
    const wrong = await call("POST", `${D}/verify`, { token: t.key });
    expect(wrong.json).toMatchObject({
      status: "failed",
      reason: `The TXT record at ${record.name} does not hold the expected value.`,
    });

    await setDns(record.name, record.value);
    const ok = await call("POST", `${D}/verify`, { token: t.key });
    expect(ok.json).toMatchObject({ status: "active", reason: null, activated_at: expect.any(String) });
    const shown = await call("GET", D, { token: t.key });
    expect(shown.json).toMatchObject({ domain, status: "active", checked_at: ok.json.checked_at });
    expect((await call("GET", "/admin/organization", { token: t.key })).json).toMatchObject({
      domain,
      domain_setup_status: "active",
    });
  });

  it("claims and checks are limited per org per hour (429 with Retry-After); other orgs are not affected", async () => {
    const t = await tenant();
    const other = await tenant();
    const env = { DOMAIN_CHECKS_PER_HOUR: "3" };
    const domain = `${uniq("rl")}.example.com`;
    expect((await call("PUT", D, { token: t.key, body: { domain }, env })).status).toBe(200);
    // The same domain again is answered from what is stored: it costs the provider nothing.
    expect((await call("PUT", D, { token: t.key, body: { domain }, env })).status).toBe(200);
    expect((await call("POST", `${D}/verify`, { token: t.key, env })).status).toBe(200);
    expect((await call("POST", `${D}/verify`, { token: t.key, env })).status).toBe(200);
    const limited = await call("POST", `${D}/verify`, { token: t.key, env });
    expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const otherDomain = `${uniq("rl")}.example.com`;
    expectProblem(await call("PUT", D, { token: t.key, body: { domain: otherDomain }, env }), 429, "rate_limited");
    // Refused before anything was written: the first claim stands.
    expect((await call("GET", D, { token: t.key })).json.domain).toBe(domain);
    expect((await call("PUT", D, { token: other.key, body: { domain: otherDomain }, env })).status).toBe(200);
  });

  it("404 when the org has no domain", async () => {
    const t = await tenant();
    expectProblem(await call("POST", `${D}/verify`, { token: t.key }), 404, "not_found");
    expectProblem(await call("DELETE", D, { token: t.key }), 404, "not_found");
  });
});

describe("release and deletion", () => {
  it("DELETE releases the domain at once; another org can claim it", async () => {
    const [a, b] = [await tenant(), await tenant()];
    const domain = `${uniq("rel")}.example.com`;
    await activeDomain(a.key, a.org.id, domain);
    const del = await call("DELETE", D, { token: a.key });
    expect(del.status).toBe(204);
    expectProblem(await call("GET", D, { token: a.key }), 404, "not_found");
    expect((await call("GET", "/admin/organization", { token: a.key })).json).toMatchObject({
      domain: null,
      domain_setup_status: "none",
    });
    expect((await call("PUT", D, { token: b.key, body: { domain } })).status).toBe(200);
  });

  it("deleting the organization releases its domain and drops its branding", async () => {
    const [a, b] = [await tenant(), await tenant()];
    const domain = `${uniq("gone")}.example.com`;
    await activeDomain(a.key, a.org.id, domain);
    await call("PUT", "/admin/organization/branding", { token: a.key, body: { display_name: "Gone" } });
    const del = await call("DELETE", "/admin/organization", {
      token: a.owner.session,
      org: a.org.id,
      body: { slug: a.org.slug },
    });
    expect(del.status).toBe(204);
    expect(await domainRow(domain)).toBeNull();
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM org_branding WHERE org_id = ?").bind(a.org.id).first();
    expect(left?.n).toBe(0);
    expect((await call("PUT", D, { token: b.key, body: { domain } })).status).toBe(200);
  });
});

describe("partner console rows", () => {
  it("children, search and view rows carry the child's domain and its setup status", async () => {
    const t = await partnerTree();
    const domain = `${uniq("child")}.example.com`;
    await call("PUT", D, { token: t.agency.owner.session, org: t.childA.id, body: { domain } });
    const P = "/admin/partner-console/organizations";
    const children = await call("GET", P, { token: t.agency.key });
    expect(children.json.data.find((r: { id: string }) => r.id === t.childA.id)).toMatchObject({
      domain,
      domain_setup_status: "pending",
    });
    const view = await call("GET", `${P}/${t.childA.id}`, { token: t.agency.key });
    expect(view.json).toMatchObject({ domain, domain_setup_status: "pending" });
    const search = await call("GET", `${P}/search?q=${encodeURIComponent(t.childA.slug)}`, { token: t.agency.key });
    expect(search.json.data.find((r: { id: string }) => r.id === t.childA.id)).toMatchObject({ domain });
  });
});

describe("the cron (scheduled, every minute)", () => {
  it("re-checks a pending domain with backoff and activates it once the record exists", async () => {
    const t = await tenant();
    const domain = `${uniq("cron")}.example.com`;
    const put = await call("PUT", D, { token: t.key, body: { domain } });
    await makeDue(domain);
    const before = Date.now();
    await recheckDomains(env);
    const row = await domainRow(domain);
    expect(row).toMatchObject({ status: "pending", attempts: 1, reason: expect.stringContaining("No TXT record") });
    // 2 minutes after the first re-check (1, 2, 4 … minutes, at most an hour).
    expect(Number(row?.next_check_at) - before).toBeGreaterThanOrEqual(2 * 60_000 - 1000);
    expect(Number(row?.next_check_at) - before).toBeLessThanOrEqual(2 * 60_000 + 5000);

    const [record] = put.json.verification;
    await setDns(record.name, record.value);
    await makeDue(domain);
    // Through the worker's own scheduled handler, as the runtime calls it.
    const controller = { scheduledTime: Date.now(), cron: "* * * * *", noRetry() {} } as ScheduledController;
    await worker.scheduled(controller, env);
    expect(await domainRow(domain)).toMatchObject({ status: "active", attempts: 0 });
    expect((await call("GET", "/admin/organization", { token: t.key })).json.domain_setup_status).toBe("active");
  });

  it("gives up on a domain pending for longer than 72 hours: failed, timed out", async () => {
    const t = await tenant();
    const domain = `${uniq("slow")}.example.com`;
    await call("PUT", D, { token: t.key, body: { domain } });
    await makeDue(domain, { pendingForMs: 71 * HOUR });
    await recheckDomains(env);
    expect((await domainRow(domain))?.status).toBe("pending");
    await makeDue(domain, { pendingForMs: 72 * HOUR + 1000 });
    await recheckDomains(env);
    const shown = await call("GET", D, { token: t.key });
    expect(shown.json).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/^Verification timed out after 72 h/),
      next_check_at: null,
    });
  });

  it("re-checks active domains daily and fails one whose record disappeared", async () => {
    const t = await tenant();
    const domain = `${uniq("daily")}.example.com`;
    const active = await activeDomain(t.key, t.org.id, domain);
    expect(Date.parse(active.next_check_at) - Date.now()).toBeGreaterThan(23 * HOUR);
    await makeDue(domain);
    await recheckDomains(env);
    expect(await domainRow(domain)).toMatchObject({ status: "active" });
    await setDns(active.verification[0].name, null);
    await makeDue(domain);
    await recheckDomains(env);
    const shown = await call("GET", D, { token: t.key });
    expect(shown.json).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/^No longer verified: No TXT record found/),
    });
  });

  it("does a bounded amount of work per run", async () => {
    const t = [await tenant(), await tenant(), await tenant()];
    for (const x of t) {
      const domain = `${uniq("bound")}.example.com`;
      await call("PUT", D, { token: x.key, body: { domain } });
      await makeDue(domain);
    }
    expect(await recheckDomains(env, Date.now(), 2)).toBe(2);
    expect(await recheckDomains(env, Date.now(), 2)).toBeGreaterThanOrEqual(1);
  });
});
