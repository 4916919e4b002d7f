import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mapCloudflareStatus } from "../../src/adapters/domains";
import { claimDomain, getDomain, recheckDomains, releaseDomain, verifyDomain } from "../../src/domains/service";
import type { Env } from "../../src/env";
import { db, SYSTEM_ACTOR, tenant, uniq } from "../harness";
import { domainRow, makeDue } from "./helpers";

const dohEnv: Env = { ...env, DOMAIN_PROVIDER: "doh", DOH_URL: "https://doh.fake.test/dns-query" };
const cfEnv: Env = {
  ...env,
  DOMAIN_PROVIDER: "cloudflare",
  CLOUDFLARE_API_BASE: "https://cloudflare.fake.test/client/v4",
  CLOUDFLARE_API_TOKEN: "fake-cf-token",
  CLOUDFLARE_ZONE_ID: "zone-test",
};

/** Sets what the fake DNS-over-HTTPS resolver answers for a TXT name. */
async function dohRecord(name: string, values: string[]) {
  const res = await fetch("https://doh.fake.test/_records", {
    method: "POST",
    body: JSON.stringify({ name, type: "TXT", values }),
  });
  expect(res.status).toBe(200);
}

/** Moves a custom hostname at the fake Cloudflare, as its own validation would. */
async function cfMove(
  hostname: string,
  body: { status?: string; ssl_status?: string; verification_errors?: string[] },
) {
  const res = await fetch(`https://cloudflare.fake.test/_test/custom_hostnames/${hostname}`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function cfList(hostname: string): Promise<{ id: string }[]> {
  const res = await fetch(
    `https://cloudflare.fake.test/client/v4/zones/zone-test/custom_hostnames?hostname=${hostname}`,
    {
      headers: { authorization: "Bearer fake-cf-token" },
    },
  );
  return ((await res.json()) as { result: { id: string }[] }).result;
}

describe("DOMAIN_PROVIDER=doh", () => {
  it("missing → failed, wrong value → failed, right TXT → active", async () => {
    const t = await tenant();
    const domain = `${uniq("doh")}.example.com`;
    const claimed = await claimDomain(dohEnv, db(), t.org, domain, SYSTEM_ACTOR);
    expect(claimed.txtName).toBe(`_anyreach-challenge.${domain}`);

    expect(await verifyDomain(dohEnv, db(), t.org.id)).toMatchObject({
      status: "failed",
      reason: `No TXT record found at ${claimed.txtName}.`,
    });
    await dohRecord(claimed.txtName, ["v=spf1 -all", "anyreach-verify=not-it"]);
    expect(await verifyDomain(dohEnv, db(), t.org.id)).toMatchObject({
      status: "failed",
      reason: expect.stringContaining("does not hold the expected value"),
    });
    // Among other TXT records of the name, quoted as resolvers answer them.
    await dohRecord(claimed.txtName, ["other", claimed.txtValue]);
    expect(await verifyDomain(dohEnv, db(), t.org.id)).toMatchObject({ status: "active", reason: null });

    // Gone from DNS: the daily re-check fails it.
    await dohRecord(claimed.txtName, []);
    await makeDue(domain);
    await recheckDomains(dohEnv);
    expect(await domainRow(domain)).toMatchObject({
      status: "failed",
      reason: expect.stringContaining("No longer verified: No TXT record"),
    });
  });

  it("a resolver that is down changes nothing and says so", async () => {
    const t = await tenant();
    const domain = `${uniq("dohdown")}.example.com`;
    await claimDomain(dohEnv, db(), t.org, domain, SYSTEM_ACTOR);
    const down = await verifyDomain({ ...dohEnv, DOH_URL: "https://doh.fake.test/fail" }, db(), t.org.id);
    expect(down).toMatchObject({ status: "pending", reason: expect.stringContaining("could not be completed") });
  });
});

describe("DOMAIN_PROVIDER=cloudflare (Cloudflare for SaaS custom hostnames)", () => {
  it("registers the hostname, hands out its ownership TXT, maps its statuses, and deletes it on release", async () => {
    const t = await tenant();
    const domain = `${uniq("cf")}.example.com`;
    const claimed = await claimDomain(cfEnv, db(), t.org, domain, SYSTEM_ACTOR);
    expect(claimed).toMatchObject({
      status: "pending",
      txtName: `_cf-custom-hostname.${domain}`,
      providerRef: expect.stringMatching(/^cfh\d+$/),
    });
    expect(claimed.txtValue).toMatch(/^[0-9a-f-]{36}$/);
    expect(await cfList(domain)).toHaveLength(1);

    expect(await verifyDomain(cfEnv, db(), t.org.id)).toMatchObject({
      status: "pending",
      reason: "Hostname pending, certificate pending validation.",
    });
    await cfMove(domain, { status: "active" });
    expect((await verifyDomain(cfEnv, db(), t.org.id)).status).toBe("pending");
    await cfMove(domain, { ssl_status: "active" });
    expect(await verifyDomain(cfEnv, db(), t.org.id)).toMatchObject({ status: "active", reason: null });

    // Cloudflare later reports the hostname moved away: the daily re-check fails it.
    await cfMove(domain, { status: "moved", verification_errors: ["CNAME points elsewhere"] });
    await makeDue(domain);
    await recheckDomains(cfEnv);
    expect((await getDomain(cfEnv, db(), t.org.id)).reason).toBe(
      "No longer verified: Custom hostname moved: CNAME points elsewhere.",
    );

    await releaseDomain(cfEnv, db(), t.org.id, SYSTEM_ACTOR);
    expect(await cfList(domain)).toEqual([]);
  });

  it("a hostname already registered at Cloudflare (a retry) is reused", async () => {
    const [a, b] = [await tenant(), await tenant()];
    const domain = `${uniq("cfdup")}.example.com`;
    const first = await claimDomain(cfEnv, db(), a.org, domain, SYSTEM_ACTOR);
    await releaseDomain(env, db(), a.org.id, SYSTEM_ACTOR); // released locally only: still at Cloudflare
    const second = await claimDomain(cfEnv, db(), b.org, domain, SYSTEM_ACTOR);
    expect(second.providerRef).toBe(first.providerRef);
  });

  it("a refusal by Cloudflare undoes the claim (422)", async () => {
    const t = await tenant();
    const domain = `${uniq("cfno")}.example.com`;
    const bad = { ...cfEnv, CLOUDFLARE_API_TOKEN: "wrong" };
    await expect(claimDomain(bad, db(), t.org, domain, SYSTEM_ACTOR)).rejects.toMatchObject({ code: "unprocessable" });
    expect(await domainRow(domain)).toBeNull();
    const org = await env.DB.prepare("SELECT domain, domain_setup_status FROM organizations WHERE id = ?")
      .bind(t.org.id)
      .first();
    expect(org).toEqual({ domain: null, domain_setup_status: "none" });
  });

  it("maps hostname and SSL statuses onto pending / active / failed", () => {
    const h = (status: string, ssl: string) =>
      mapCloudflareStatus({ id: "x", hostname: "x", status, ssl: { status: ssl } });
    expect(h("active", "active").status).toBe("active");
    expect(h("pending", "pending_validation").status).toBe("pending");
    expect(h("active", "pending_deployment").status).toBe("pending");
    expect(h("blocked", "active")).toMatchObject({ status: "failed", reason: "Custom hostname blocked." });
    expect(h("active", "validation_timed_out")).toMatchObject({
      status: "failed",
      reason: "Certificate validation timed out.",
    });
  });
});
