import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import worker from "../../src/worker";
import { memberships, organizations, personalTokens, sessions } from "../../src/db/schema";
import { forgetAll } from "../../src/auth/cache";
import { parseToken, mintApiKey, mintPersonalToken } from "../../src/auth/token-format";
import { sha256Hex } from "../../src/lib/crypto";
import {
  addMember,
  call,
  createKey,
  createOrg,
  createPat,
  createUser,
  db,
  defined,
  expectProblem,
  tenant,
} from "../harness";

/**
 * One GET through the worker's fetch handler (as `call` does), returning only once the
 * request's `waitUntil` work, such as the last_used_at write, has finished.
 */
async function settledGet(path: string, token: string, org: string, bindings: Partial<Cloudflare.Env> = {}) {
  const ctx = createExecutionContext();
  const req = new Request<unknown, IncomingRequestCfProperties>(`http://api.test${path}`, {
    headers: { authorization: `Bearer ${token}`, "x-anyreach-org": org },
  });
  const res = await worker.fetch(req, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null, text };
}

/** A D1 binding that records every use and fails it. */
function unusableD1() {
  const uses: string[] = [];
  const refuse = (method: string) => () => {
    uses.push(method);
    throw new Error(`D1 is unusable in this test (${method})`);
  };
  const d1 = {
    prepare: refuse("prepare"),
    batch: refuse("batch"),
    exec: refuse("exec"),
    dump: refuse("dump"),
    withSession: refuse("withSession"),
  };
  return { DB: d1 as unknown as D1Database, uses };
}

const lastUsedOf = async (pat: string) =>
  (
    await db()
      .select()
      .from(personalTokens)
      .where(eq(personalTokens.tokenHash, await sha256Hex(pat)))
  )[0]?.lastUsedAt;

describe("token format", () => {
  it("minted tokens parse; a one-character typo fails the checksum before any lookup", () => {
    const { token: pat } = mintPersonalToken();
    const { token: ak, id } = mintApiKey();
    expect(parseToken(pat)).toEqual({ kind: "pat" });
    expect(parseToken(ak)).toEqual({ kind: "api_key", keyId: id });
    const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === "a" ? "b" : "a") + t.slice(i + 1);
    expect(parseToken(flip(pat, 10)).kind).toBe("malformed");
    expect(parseToken(flip(ak, ak.length - 10)).kind).toBe("malformed");
    expect(parseToken("pat_short").kind).toBe("malformed");
    expect(parseToken("hello").kind).toBe("malformed");
  });
});

describe("authentication", () => {
  it("no credential → 401 unauthenticated", async () => {
    expectProblem(await call("GET", "/admin/organization"), 401, "unauthenticated");
  });

  it("a non-Bearer Authorization header → 401", async () => {
    expectProblem(
      await call("GET", "/admin/me", { headers: { authorization: "Basic Zm9vOmJhcg==" } }),
      401,
      "invalid_credential",
    );
  });

  it("a PAT with a bad checksum → 401 before any DB read", async () => {
    const t = await tenant();
    // The instrument works: a well-formed unknown PAT is looked up, and D1 failing fails it.
    const probe = unusableD1();
    const unknown = await settledGet("/admin/organization", mintPersonalToken().token, t.org.id, { DB: probe.DB });
    expect(probe.uses).not.toEqual([]);
    expect(unknown.status).toBe(500);
    // A typo in the checksum is refused with D1 unusable, and D1 was never touched.
    const none = unusableD1();
    const bad = t.pat.slice(0, -1) + (t.pat.endsWith("A") ? "B" : "A");
    const res = await settledGet("/admin/organization", bad, t.org.id, { DB: none.DB });
    expectProblem(res, 401, "invalid_credential");
    expect(res.json.detail).toMatch(/checksum/i);
    expect(none.uses).toEqual([]);
  });

  it("a well-formed but unknown API key → 401", async () => {
    expectProblem(await call("GET", "/admin/organization", { token: mintApiKey().token }), 401, "invalid_credential");
  });

  it("a garbage JWT → 401", async () => {
    expectProblem(
      await call("GET", "/admin/me", { token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" }),
      401,
      "invalid_credential",
    );
  });

  it("an expired PAT → 401 credential_expired, exactly at expiry even when cached", async () => {
    const u = await createUser();
    const org = await createOrg(u);
    const pat = await createPat(u, { expiresAt: Date.now() + 60_000 });
    expect((await call("GET", "/admin/organization", { token: pat, org: org.id })).status).toBe(200);
    await db()
      .update(personalTokens)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(personalTokens.userId, u.id));
    forgetAll();
    expectProblem(await call("GET", "/admin/organization", { token: pat, org: org.id }), 401, "credential_expired");
  });

  it("a revoked session → 401 on its next use", async () => {
    const t = await tenant();
    expect((await call("GET", "/admin/me", { token: t.owner.session })).status).toBe(200);
    const out = await call("DELETE", "/admin/account/sessions/current", { token: t.owner.session });
    expect(out.status).toBe(204);
    expectProblem(await call("GET", "/admin/me", { token: t.owner.session }), 401, "credential_revoked");
    const row = defined((await db().select().from(sessions).where(eq(sessions.id, t.owner.sessionId)))[0], "session");
    expect(row.revokedAt).not.toBeNull();
  });

  it("a session signed with another secret → 401", async () => {
    const { SignJWT } = await import("jose");
    const forged = await new SignJWT({ sid: "ses_x", email: "x@y.z" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("usr_x")
      .setIssuer("https://auth.anyreach.local")
      .setAudience("anyreach-api")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("x".repeat(40)));
    expectProblem(await call("GET", "/admin/me", { token: forged }), 401, "invalid_credential");
  });

  it("an unsigned (alg none) token is refused", async () => {
    const enc = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const t = await tenant();
    const none = `${enc({ alg: "none" })}.${enc({ sub: t.owner.id, sid: t.owner.sessionId, email: t.owner.email, iss: "https://auth.anyreach.local", aud: "anyreach-api", exp: 9e9 })}.`;
    expectProblem(await call("GET", "/admin/me", { token: none }), 401, "invalid_credential");
  });

  it("the session cookie works like the bearer header", async () => {
    const t = await tenant();
    const res = await call("GET", "/admin/organization", {
      headers: { cookie: `anyreach_session=${t.owner.session}` },
      org: t.org.slug,
    });
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(t.org.id);
  });
});

describe("last_used_at", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("a PAT's use records last_used_at, off the response path", async () => {
    const t = await tenant();
    expect(await lastUsedOf(t.pat)).toBeNull();
    const before = Date.now();
    expect((await settledGet("/admin/organization", t.pat, t.org.id)).status).toBe(200);
    const used = await lastUsedOf(t.pat);
    expect(used).toBeGreaterThanOrEqual(before);
    expect(used).toBeLessThanOrEqual(Date.now());
  });

  it("is written at most once a minute per credential", async () => {
    const t = await tenant();
    expect((await settledGet("/admin/organization", t.pat, t.org.id)).status).toBe(200);
    const first = await lastUsedOf(t.pat);
    expect(first).toEqual(expect.any(Number));
    // An older value in its place: a rewrite by the next use would replace it with that use's time.
    const marker = (first ?? 0) - 1_000;
    await db()
      .update(personalTokens)
      .set({ lastUsedAt: marker })
      .where(eq(personalTokens.tokenHash, await sha256Hex(t.pat)));
    expect((await settledGet("/admin/organization", t.pat, t.org.id)).status).toBe(200);
    expect(await lastUsedOf(t.pat)).toBe(marker);
    // Just over a minute after the first write, the next use writes again.
    const later = (first ?? 0) + 60_001;
    vi.spyOn(Date, "now").mockReturnValue(later);
    expect((await settledGet("/admin/organization", t.pat, t.org.id)).status).toBe(200);
    expect(await lastUsedOf(t.pat)).toBe(later);
  });
});

describe("org context", () => {
  it("a PAT without X-Anyreach-Org → 401 'Token is missing organization claim.'", async () => {
    const t = await tenant();
    const res = await call("GET", "/admin/organization", { token: t.pat });
    expectProblem(res, 401, "missing_organization");
    expect(res.json.detail).toBe("Token is missing organization claim.");
  });

  it("a PAT naming an org the user is not a member of → 403; a nonexistent org looks the same", async () => {
    const t = await tenant();
    const other = await tenant();
    expectProblem(await call("GET", "/admin/organization", { token: t.pat, org: other.org.id }), 403, "not_a_member");
    expectProblem(
      await call("GET", "/admin/organization", { token: t.pat, org: "org_doesnotexist" }),
      403,
      "not_a_member",
    );
  });

  it("a PAT with the header acts on that org, by id or by slug", async () => {
    const t = await tenant();
    for (const ref of [t.org.id, t.org.slug]) {
      const res = await call("GET", "/admin/organization", { token: t.pat, org: ref });
      expect(res.status).toBe(200);
      expect(res.json.id).toBe(t.org.id);
    }
  });

  it("an org API key needs no header; naming another org is refused", async () => {
    const t = await tenant();
    const other = await tenant();
    const res = await call("GET", "/admin/organization", { token: t.key });
    expect(res.json.id).toBe(t.org.id);
    expect((await call("GET", "/admin/organization", { token: t.key, org: t.org.slug })).status).toBe(200);
    expectProblem(
      await call("GET", "/admin/organization", { token: t.key, org: other.org.id }),
      403,
      "organization_mismatch",
    );
  });

  it("the /v1/orgs/{slug}/… alias resolves the org from the path", async () => {
    const t = await tenant();
    const res = await call("GET", `/v1/orgs/${t.org.slug}/organization`, { token: t.owner.session });
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(t.org.id);
    const scopes = await call("GET", `/v1/orgs/${t.org.slug}/members/me/scopes`, { token: t.owner.session });
    expect(scopes.json.scopes).toContain("organizations:delete");
  });

  it("a session on an org-scoped route without naming the org → 401 missing_organization", async () => {
    const t = await tenant();
    expectProblem(await call("GET", "/admin/organization", { token: t.owner.session }), 401, "missing_organization");
  });

  it("an org API key cannot use account routes", async () => {
    const t = await tenant();
    expectProblem(await call("GET", "/admin/me", { token: t.key }), 403, "forbidden");
  });
});

describe("effective scopes", () => {
  it("a viewer's session gets the read scopes only", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const viewer = await createUser();
    await addMember(org, viewer, ["viewer"]);
    const res = await call("GET", "/admin/members/me/scopes", { token: viewer.session, org: org.id });
    expect(res.json.scopes.sort()).toEqual([
      "conversations:read",
      "members:read",
      "organizations:read",
      "resources:read",
    ]);
    expectProblem(
      await call("PATCH", "/admin/organization", { token: viewer.session, org: org.id, body: { name: "x" } }),
      403,
      "insufficient_scope",
    );
  });

  it("a PAT's scopes are intersected with the user's current role in the org", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const member = await createUser();
    await addMember(org, member, ["member"]);
    const pat = await createPat(member); // ceiling: member scopes
    const res = await call("GET", "/admin/members/me/scopes", { token: pat, org: org.id });
    expect(res.json.scopes).not.toContain("members:manage");
    expect(res.json.scopes).toContain("conversations:dial");
  });

  it("a demoted user's PAT loses power at once", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const admin = await createUser();
    await addMember(org, admin, ["admin"]);
    const pat = await createPat(admin);
    expect((await call("GET", "/admin/members/me/scopes", { token: pat, org: org.id })).json.scopes).toContain(
      "members:manage",
    );
    await db().update(memberships).set({ roles: "viewer" }).where(eq(memberships.userId, admin.id));
    forgetAll();
    const after = await call("GET", "/admin/members/me/scopes", { token: pat, org: org.id });
    expect(after.json.scopes).not.toContain("members:manage");
    expect(after.json.scopes).toContain("members:read");
  });

  it("a narrowly scoped PAT cannot do more than its scopes", async () => {
    const t = await tenant();
    const pat = await createPat(t.owner, { scopes: ["organizations:read"] });
    expect((await call("GET", "/admin/organization", { token: pat, org: t.org.id })).status).toBe(200);
    expectProblem(
      await call("PATCH", "/admin/organization", { token: pat, org: t.org.id, body: { name: "x" } }),
      403,
      "insufficient_scope",
    );
  });

  it("an org API key never holds organizations:delete", async () => {
    const t = await tenant();
    const res = await call("GET", "/admin/members/me/scopes", { token: t.key });
    expect(res.json.scopes).toContain("members:manage");
    expect(res.json.scopes).not.toContain("organizations:delete");
  });

  it("an API key whose org was deleted dies with it (401)", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const { token } = await createKey(org);
    expect((await call("GET", "/admin/organization", { token })).status).toBe(200);
    // The org row goes (its keys and memberships with it, ON DELETE CASCADE).
    await db().delete(organizations).where(eq(organizations.id, org.id));
    forgetAll();
    expect((await call("GET", "/admin/organization", { token })).status).toBe(401);
  });
});
