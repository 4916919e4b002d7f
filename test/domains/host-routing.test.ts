import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { addMember, call, createPat, createUser, expectProblem, onPlan, tenant, uniq, waitFor } from "../harness";
import { activeDomain, onHost, setDns } from "./helpers";

type Tenant = Awaited<ReturnType<typeof tenant>>;
let brand: Tenant;
let domain: string;

beforeAll(async () => {
  brand = await tenant();
  domain = `${uniq("brand")}.example.com`;
  await activeDomain(brand.key, brand.org.id, domain);
  const res = await call("PUT", "/admin/organization/branding", {
    token: brand.key,
    body: {
      display_name: 'Acme & "Sons"',
      logo_url: "https://cdn.example.com/logo.png?a=1&b=2",
      primary_color: "#112233",
      accent_color: "#AA3B4C",
      support_email: "help@acme.example.com",
    },
  });
  expect(res.status).toBe(200);
});

/** A 404 page that names nothing: no org name, slug or id, no brand. */
function expectBlank404(res: Awaited<ReturnType<typeof call>>, ...secrets: string[]) {
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).toContain("text/html");
  for (const s of [brand.org.name, brand.org.slug, brand.org.id, "Acme", ...secrets]) expect(res.text).not.toContain(s);
}

describe("an active custom domain", () => {
  it("GET / is the branded sign-in page, everything escaped", async () => {
    const res = await onHost(domain, "GET", "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("<title>Acme &amp; &quot;Sons&quot;</title>");
    expect(res.text).not.toContain('Acme & "Sons"');
    expect(res.text).toContain('src="https://cdn.example.com/logo.png?a=1&amp;b=2"');
    expect(res.text).toContain("#112233");
    expect(res.text).toContain("#aa3b4c");
    expect(res.text).toContain("/auth/email/start");
    expect(res.text).toContain(`const ORG = "${brand.org.id}"`);
    expect(res.text).toContain("Powered by Anyreach");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("matches the Host whatever its case and port", async () => {
    const res = await onHost(`${domain.toUpperCase()}:8443`, "GET", "/branding.json");
    expect(res.status).toBe(200);
    expect(res.json.organization_id).toBe(brand.org.id);
  });

  it("GET /branding.json is the effective branding (no ancestor named)", async () => {
    const res = await onHost(domain, "GET", "/branding.json");
    expect(res.json).toEqual({
      organization_id: brand.org.id,
      product_name: "Anyreach",
      display_name: 'Acme & "Sons"',
      logo_url: "https://cdn.example.com/logo.png?a=1&b=2",
      icon_url: null,
      primary_color: "#112233",
      accent_color: "#aa3b4c",
      support_email: "help@acme.example.com",
      hide_product_name: false,
    });
  });

  it("API routes keep working on it", async () => {
    expect((await onHost(domain, "GET", "/healthz")).status).toBe(200);
    expect((await onHost(domain, "GET", "/openapi.json")).status).toBe(200);
    const res = await onHost(domain, "GET", "/admin/organization", { token: brand.key });
    expect(res.json.id).toBe(brand.org.id);
  });

  it("a session or PAT without X-Anyreach-Org acts on the host's org", async () => {
    const session = await onHost(domain, "GET", "/admin/organization", { token: brand.owner.session });
    expect(session.status).toBe(200);
    expect(session.json.id).toBe(brand.org.id);
    const pat = await onHost(domain, "GET", "/admin/organization", { token: brand.pat });
    expect(pat.json.id).toBe(brand.org.id);
    // The header still wins: a member of two orgs names the other one.
    const other = await tenant();
    await addMember(other.org, brand.owner, ["admin"]);
    const named = await onHost(domain, "GET", "/admin/organization", { token: brand.owner.session, org: other.org.id });
    expect(named.json.id).toBe(other.org.id);
    // Off the custom host, the same session still needs the header.
    expectProblem(
      await call("GET", "/admin/organization", { token: brand.owner.session }),
      401,
      "missing_organization",
    );
  });

  it("signing in on the host (the page's two calls) lands a member in the host's org", async () => {
    const member = await createUser();
    await addMember(brand.org, member, ["member"]);
    const outbox = async () =>
      (await call("GET", `/dev/outbox?to=${encodeURIComponent(member.email)}`)).json.data as { subject: string }[];
    const before = (await outbox()).length;
    expect((await onHost(domain, "POST", "/auth/email/start", { body: { email: member.email } })).status).toBe(202);
    const mail = await waitFor(async () => {
      const mails = await outbox();
      return mails.length > before ? mails[0] : undefined;
    });
    const code = /\b(\d{6})\b/.exec(mail.subject)?.[1];
    const verified = await onHost(domain, "POST", "/auth/email/verify", { body: { email: member.email, code } });
    expect(verified.status).toBe(200);
    const res = await onHost(domain, "GET", "/admin/organization", { token: verified.json.token });
    expect(res.json.id).toBe(brand.org.id);
  });

  it("a non-member's session or PAT still gets 403; another org's API key acts on its own org", async () => {
    const stranger = await tenant();
    expectProblem(
      await onHost(domain, "GET", "/admin/organization", { token: stranger.owner.session }),
      403,
      "not_a_member",
    );
    const pat = await createPat(stranger.owner);
    expectProblem(await onHost(domain, "GET", "/admin/members", { token: pat }), 403, "not_a_member");
    const own = await onHost(domain, "GET", "/admin/organization", { token: stranger.key });
    expect(own.json.id).toBe(stranger.org.id);
  });

  it("a viewer on the host may read but not change the branding", async () => {
    const viewer = await createUser();
    await addMember(brand.org, viewer, ["viewer"]);
    expect((await onHost(domain, "GET", "/admin/organization/branding", { token: viewer.session })).status).toBe(200);
    expectProblem(
      await onHost(domain, "PUT", "/admin/organization/branding", { token: viewer.session, body: {} }),
      403,
      "insufficient_scope",
    );
  });
});

describe("hosts that are not an active custom domain", () => {
  it("an unknown host: a plain 404 on / and /branding.json, API routes still work", async () => {
    const host = `${uniq("nobody")}.example.net`;
    expectBlank404(await onHost(host, "GET", "/"));
    expectBlank404(await onHost(host, "GET", "/branding.json"));
    expect((await onHost(host, "GET", "/healthz")).status).toBe(200);
    // No host org: the header is needed as anywhere else.
    expectProblem(
      await onHost(host, "GET", "/admin/organization", { token: brand.owner.session }),
      401,
      "missing_organization",
    );
  });

  it("pending and failed domains serve nothing", async () => {
    const t = await tenant();
    const pending = `${uniq("pend")}.example.com`;
    await call("PUT", "/admin/organization/domain", { token: t.key, body: { domain: pending } });
    await call("PUT", "/admin/organization/branding", { token: t.key, body: { display_name: "Pending Brand" } });
    expectBlank404(await onHost(pending, "GET", "/"), t.org.name, t.org.id, "Pending Brand");
    expectBlank404(await onHost(pending, "GET", "/branding.json"), t.org.id);
    await call("POST", "/admin/organization/domain/verify", { token: t.key });
    expect((await call("GET", "/admin/organization/domain", { token: t.key })).json.status).toBe("failed");
    expectBlank404(await onHost(pending, "GET", "/"), t.org.name, t.org.id, "Pending Brand");
    // A session without the header is not placed in a pending domain's org.
    expectProblem(
      await onHost(pending, "GET", "/admin/organization", { token: t.owner.session }),
      401,
      "missing_organization",
    );
  });

  it("a released domain stops resolving at once (same isolate, cached before)", async () => {
    const t = await tenant();
    const host = `${uniq("rel")}.example.com`;
    await activeDomain(t.key, t.org.id, host);
    expect((await onHost(host, "GET", "/")).status).toBe(200);
    expect((await call("DELETE", "/admin/organization/domain", { token: t.key })).status).toBe(204);
    expectBlank404(await onHost(host, "GET", "/"), t.org.name, t.org.id);
    expectBlank404(await onHost(host, "GET", "/branding.json"), t.org.id);
  });

  it("product hosts are never custom: / is the web console's own sign-in, not a brand's", async () => {
    for (const host of ["127.0.0.1:8787", "localhost", "anyreach.workers.dev", "10.1.2.3", "[::1]:8787"]) {
      const res = await onHost(host, "GET", "/");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.text).toContain("Send code");
      // The custom host's branded page (branding/pages.ts) is never served here.
      expect(res.text).not.toContain("Send me a code");
    }
  });
});

describe("the host cache", () => {
  it("a branding change shows on the next request in the same isolate", async () => {
    expect((await onHost(domain, "GET", "/branding.json")).json.primary_color).toBe("#112233");
    const put = await call("PUT", "/admin/organization/branding", {
      token: brand.key,
      body: {
        display_name: 'Acme & "Sons"',
        primary_color: "#445566",
        logo_url: "https://cdn.example.com/logo.png?a=1&b=2",
      },
    });
    expect(put.status).toBe(200);
    expect((await onHost(domain, "GET", "/branding.json")).json.primary_color).toBe("#445566");
    expect((await onHost(domain, "GET", "/")).text).toContain("#445566");
  });

  it("an ancestor's branding change reaches a descendant's host at once", async () => {
    const root = await tenant();
    await onPlan(root.org.id, "agency");
    const child = await call("POST", "/admin/organizations", {
      token: root.owner.session,
      org: root.org.id,
      body: { name: "Child Co", parent_id: root.org.id },
    });
    expect(child.status).toBe(201);
    const childId = child.json.id as string;
    const host = `${uniq("kid")}.example.com`;
    const put = await call("PUT", "/admin/organization/domain", {
      token: root.owner.session,
      org: childId,
      body: { domain: host },
    });
    await setDns(put.json.verification[0].name, put.json.verification[0].value);
    await call("POST", "/admin/organization/domain/verify", { token: root.owner.session, org: childId });
    expect((await onHost(host, "GET", "/branding.json")).json.display_name).toBe("Child Co");
    await call("PUT", "/admin/organization/branding", { token: root.key, body: { display_name: "Root Brand" } });
    expect((await onHost(host, "GET", "/branding.json")).json.display_name).toBe("Root Brand");
  });

  it("does not reach D1 for a cached host (known or unknown)", async () => {
    const unknown = `${uniq("cold")}.example.org`;
    await onHost(unknown, "GET", "/");
    await onHost(domain, "GET", "/");
    // With D1 unreachable, the cached answers still come back.
    const broken = { ...env, DB: undefined as unknown as D1Database };
    const { default: worker } = await import("../../src/worker");
    const { createExecutionContext } = await import("cloudflare:test");
    const req = (host: string) => new Request("http://x.test/branding.json", { headers: { host } });
    const known = await worker.fetch(req(domain) as never, broken, createExecutionContext());
    expect(known.status).toBe(200);
    const cold = await worker.fetch(req(unknown) as never, broken, createExecutionContext());
    expect(cold.status).toBe(404);
  });
});
