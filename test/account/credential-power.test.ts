import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { organizations, personalTokens } from "../../src/db/schema";
import { ACCOUNT_SCOPES, type Scope } from "../../src/auth/scopes";
import { newId, sha256Hex } from "../../src/lib/crypto";
import { mintPersonalToken } from "../../src/auth/token-format";
import { call, createOrg, createPat, createUser, db, defined, expectProblem, tenant, type TestUser } from "../harness";
import { as, team } from "../members/fixtures";

/**
 * Issue 9, item 1: no credential ever creates, lists or revokes credentials beyond its own
 * power, and account routes respect a PAT's scopes.
 */
const DAY = 86_400_000;

const mint = (token: string, body: unknown) => call("POST", "/admin/account/tokens", { token, body });
const listed = async (token: string): Promise<string[]> => {
  const res = await call("GET", "/admin/account/tokens?limit=100", { token });
  expect(res.status, res.text).toBe(200);
  return res.json.data.map((t: { id: string }) => t.id);
};
const idOf = async (token: string) =>
  defined(
    (
      await db()
        .select()
        .from(personalTokens)
        .where(eq(personalTokens.tokenHash, await sha256Hex(token)))
    )[0],
  ).id;

describe("a PAT never mints a stronger one", () => {
  it("the incident: a PAT limited to organizations:read cannot mint at all, so it cannot end up deleting the org", async () => {
    const t = await tenant();
    const weak = await createPat(t.owner, { scopes: ["organizations:read"] });
    expectProblem(await mint(weak, { name: "escalate" }), 403, "insufficient_scope");
    expectProblem(
      await call("DELETE", "/admin/organization", { token: weak, org: t.org.id, body: { slug: t.org.slug } }),
      403,
      "insufficient_scope",
    );
    expect((await db().select().from(organizations).where(eq(organizations.id, t.org.id))).length).toBe(1);
  });

  it("a PAT that may mint gives at most its own scopes; omitted scopes = its own, without the by-name ones", async () => {
    const t = await tenant();
    const minter = await createPat(t.owner, { scopes: ["organizations:read", "account_tokens:manage"] });
    const child = await mint(minter, { name: "child" });
    expect(child.status, child.text).toBe(201);
    expect(child.json.scopes).toEqual(["organizations:read", "account:read"]);
    expectProblem(await mint(minter, { name: "x", scopes: ["members:manage"] }), 403, "insufficient_scope");
    expectProblem(await mint(minter, { name: "x", scopes: ["organizations:delete"] }), 403, "insufficient_scope");
    expectProblem(await mint(minter, { name: "x", scopes: ["organizations:create"] }), 403, "insufficient_scope");
    // Asked for by name, a scope the caller holds is granted.
    const named = await mint(minter, { name: "n", scopes: ["account_tokens:manage"] });
    expect(named.json.scopes).toEqual(["account_tokens:manage"]);
    // The child cannot delete the org the parent could not.
    expectProblem(
      await call("DELETE", "/admin/organization", {
        token: child.json.token,
        org: t.org.id,
        body: { slug: t.org.slug },
      }),
      403,
      "insufficient_scope",
    );
  });

  it("a PAT without expiry mints tokens without expiry; one that expires mints none that outlive it", async () => {
    const t = await tenant();
    const forever = await createPat(t.owner, { scopes: ["organizations:read", "account_tokens:manage"] });
    expect((await mint(forever, { name: "f" })).json.expires_at).toBeNull();
    const expiresAt = Date.now() + 10 * DAY;
    const brief = await createPat(t.owner, { scopes: ["organizations:read", "account_tokens:manage"], expiresAt });
    // By default, the child expires with its parent.
    expect((await mint(brief, { name: "d" })).json.expires_at).toBe(expiresAt);
    for (const body of [
      { name: "never", expires_at: null },
      { name: "later", expires_at: expiresAt + 1 },
      { name: "days", expires_in_days: 30 },
    ]) {
      const res = await mint(brief, body);
      expectProblem(res, 400, "validation_failed");
      expect(res.json.errors[0].field).toMatch(/^expires_/);
    }
    const sooner = await mint(brief, { name: "sooner", expires_in_days: 1 });
    expect(sooner.status).toBe(201);
    expect(sooner.json.expires_at).toBeLessThanOrEqual(expiresAt);
  });

  it("a session's default PAT holds the user's org scopes and account:read, never the account-management scopes", async () => {
    const t = await tenant();
    const res = await mint(t.owner.session, { name: "default" });
    expect(res.status).toBe(201);
    expect(res.json.scopes).toContain("organizations:delete");
    expect(res.json.scopes).toContain("account:read");
    for (const s of ACCOUNT_SCOPES.filter((x) => x !== "account:read")) expect(res.json.scopes).not.toContain(s);
    const all = await mint(t.owner.session, { name: "all", scopes: [...ACCOUNT_SCOPES] });
    expect(all.json.scopes).toEqual([...ACCOUNT_SCOPES]);
  });

  it("a demoted user's old PAT cannot mint the scopes the user lost", async () => {
    const t = await team();
    const pat = await createPat(t.admin, { scopes: ["members:manage", "account_tokens:manage"] });
    expect(
      (await as(t.owner, t.org.id)("PUT", `/admin/members/${t.admin.id}/roles`, { roles: ["member"] })).status,
    ).toBe(200);
    expectProblem(await mint(pat, { name: "x", scopes: ["members:manage"] }), 403, "insufficient_scope");
  });

  it("a PAT creating an org API key gives it at most its effective scopes and its own expiry", async () => {
    const t = await tenant();
    const expiresAt = Date.now() + 5 * DAY;
    const pat = await createPat(t.owner, { scopes: ["api_keys:manage", "members:read"], expiresAt });
    const create = (body: unknown) => call("POST", "/admin/organization-pats", { token: pat, org: t.org.id, body });
    const key = await create({ name: "k" });
    expect(key.status, key.text).toBe(201);
    expect(key.json.scopes).toEqual(["members:read", "api_keys:manage"]);
    expect(key.json.expires_at).toBe(expiresAt);
    expectProblem(await create({ name: "k", scopes: ["members:manage"] }), 403, "insufficient_scope");
    expectProblem(await create({ name: "k", expires_at: null }), 400, "validation_failed");
    expectProblem(await create({ name: "k", scopes: ["account:read"] }), 400, "validation_failed");
    // A session stands for the user: its keys may outlive it.
    const fromSession = await call("POST", "/admin/organization-pats", {
      token: t.owner.session,
      org: t.org.id,
      body: { name: "server", expires_at: null },
    });
    expect(fromSession.json.expires_at).toBeNull();
  });

  it("PATs made before account scopes existed hold none: they can no longer reach the account", async () => {
    const t = await tenant();
    const { token, hint } = mintPersonalToken();
    await db()
      .insert(personalTokens)
      .values({
        id: newId("pat"),
        userId: t.owner.id,
        name: "legacy, all 15 scopes",
        tokenHash: await sha256Hex(token),
        tokenHint: hint,
        scopes: ["organizations:read", "organizations:manage", "organizations:delete", "api_keys:manage"],
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
        createdAt: Date.now(),
      });
    expectProblem(await mint(token, { name: "x" }), 403, "insufficient_scope");
    expectProblem(await call("GET", "/admin/account/tokens", { token }), 403, "insufficient_scope");
    expect((await call("GET", "/admin/organization", { token, org: t.org.id })).status).toBe(200);
  });
});

describe("a PAT lists and revokes only PATs within its power", () => {
  it("sees itself and weaker tokens, not stronger or longer-lived ones; revoking those is a 404", async () => {
    const u = await createUser();
    await createOrg(u);
    const expiresAt = Date.now() + 10 * DAY;
    const caller = await createPat(u, {
      scopes: ["organizations:read", "members:read", "account_tokens:manage"],
      expiresAt,
    });
    const weaker = await createPat(u, { scopes: ["organizations:read"], expiresAt: expiresAt - DAY });
    const stronger = await createPat(u, { scopes: ["organizations:manage"], expiresAt: expiresAt - DAY });
    const longer = await createPat(u, { scopes: ["organizations:read"], expiresAt: null });
    const [callerId, weakerId, strongerId, longerId] = await Promise.all([caller, weaker, stronger, longer].map(idOf));
    const seen = await listed(caller);
    expect(seen).toEqual(expect.arrayContaining([callerId, weakerId]));
    expect(seen).not.toContain(strongerId);
    expect(seen).not.toContain(longerId);
    // The session sees them all.
    expect(await listed(u.session)).toEqual(expect.arrayContaining([callerId, weakerId, strongerId, longerId]));
    for (const id of [strongerId, longerId]) {
      expectProblem(await call("DELETE", `/admin/account/tokens/${id}`, { token: caller }), 404, "not_found");
    }
    expect((await call("DELETE", `/admin/account/tokens/${weakerId}`, { token: caller })).status).toBe(204);
  });

  it("listing needs account:read; revoking another needs account_tokens:manage; revoking itself needs nothing", async () => {
    const u = await createUser();
    const org = await createOrg(u);
    const bare = await createPat(u, { scopes: ["organizations:read"] });
    const reader = await createPat(u, { scopes: ["organizations:read", "account:read"] });
    expectProblem(await call("GET", "/admin/account/tokens", { token: bare }), 403, "insufficient_scope");
    expect((await listed(reader)).length).toBeGreaterThan(0);
    const bareId = await idOf(bare);
    expectProblem(
      await call("DELETE", `/admin/account/tokens/${bareId}`, { token: reader }),
      403,
      "insufficient_scope",
    );
    expect((await call("DELETE", `/admin/account/tokens/${bareId}`, { token: bare })).status).toBe(204);
    expectProblem(await call("GET", "/admin/organization", { token: bare, org: org.id }), 401, "credential_revoked");
  });
});

describe("account routes respect a PAT's scopes", () => {
  it("sessions: listing needs account:read, signing out needs account_sessions:manage", async () => {
    const u = await createUser();
    const bare = await createPat(u, { scopes: ["organizations:create"] });
    const reader = await createPat(u, { scopes: ["account:read"] });
    const signer = await createPat(u, { scopes: ["account_sessions:manage"] });
    expectProblem(await call("GET", "/admin/account/sessions", { token: bare }), 403, "insufficient_scope");
    expect((await call("GET", "/admin/account/sessions", { token: reader })).status).toBe(200);
    const path = `/admin/account/sessions/${u.sessionId}`;
    expectProblem(await call("DELETE", path, { token: reader }), 403, "insufficient_scope");
    expect((await call("DELETE", path, { token: signer })).status).toBe(204);
    expectProblem(await call("GET", "/admin/me", { token: u.session }), 401, "credential_revoked");
  });

  it("invitations: listing needs account:read, answering needs account_invitations:manage", async () => {
    const t = await team();
    const invitee = await createUser();
    await createOrg(invitee);
    const inv = await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: invitee.email, role: "admin" });
    expect(inv.status).toBe(201);
    const bare = await createPat(invitee, { scopes: ["organizations:read"] });
    const answerer = await createPat(invitee, { scopes: ["organizations:read", "account_invitations:manage"] });
    expectProblem(await call("GET", "/admin/account/invitations", { token: bare }), 403, "insufficient_scope");
    for (const action of ["accept", "decline"]) {
      expectProblem(
        await call("POST", `/admin/account/invitations/${inv.json.id}/${action}`, { token: bare }),
        403,
        "insufficient_scope",
      );
    }
    expect((await call("GET", "/admin/account/invitations", { token: answerer })).status).toBe(200);
    const accepted = await call("POST", `/admin/account/invitations/${inv.json.id}/accept`, { token: answerer });
    expect(accepted.status, accepted.text).toBe(200);
    // Joined as admin, the PAT still has only its own scopes there.
    const scopes = await call("GET", "/admin/members/me/scopes", { token: answerer, org: t.org.id });
    expect(scopes.json.scopes).toEqual(["organizations:read"]);
  });

  it("top-level organizations: a PAT needs organizations:create", async () => {
    const u = await createUser();
    await createOrg(u);
    const bare = await createPat(u);
    const creator = await createPat(u, { scopes: ["organizations:create"] });
    expectProblem(
      await call("POST", "/admin/organizations", { token: bare, body: { name: "Nope" } }),
      403,
      "insufficient_scope",
    );
    const res = await call("POST", "/admin/organizations", { token: creator, body: { name: "Yes" } });
    expect(res.status, res.text).toBe(201);
    // Owner of the new org, the PAT still acts there with only its own scopes.
    const mine = await call("GET", "/admin/members/me/scopes", { token: creator, org: res.json.id });
    expect(mine.json.scopes).toEqual([]);
  });

  it("an org API key has no account: every account route refuses it (403)", async () => {
    const t = await tenant();
    const doc = (await call("GET", "/openapi.json")).json as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path === "/admin/me" || path.startsWith("/admin/account/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const r of routes) {
      const path = r.path.replace(/\{[^/]+\}/g, "x");
      const res = await call(r.method, path, {
        token: t.key,
        body: r.method === "POST" ? (path.endsWith("tokens") ? { name: "x" } : {}) : undefined,
      });
      expectProblem(res, 403, "forbidden");
    }
    expectProblem(await call("POST", "/admin/organizations", { token: t.key, body: { name: "x" } }), 403, "forbidden");
  });

  it("account scopes never act in an organization", async () => {
    const t = await tenant();
    const pat = await createPat(t.owner, { scopes: [...ACCOUNT_SCOPES] as Scope[] });
    expect((await call("GET", "/admin/members/me/scopes", { token: pat, org: t.org.id })).json.scopes).toEqual([]);
  });
});

/** A key made through the API by `user`'s session, with every scope they may give it unless told. */
async function keyOf(user: TestUser, t: { org: { id: string } }, body: Record<string, unknown> = {}) {
  const res = await as(user, t.org.id)("POST", "/admin/organization-pats", { name: "a key", ...body });
  expect(res.status, res.text).toBe(201);
  return res.json as { key_id: string; token: string; scopes: string[]; expires_at: number | null };
}

describe("a key never makes or reaches a key beyond its own power", () => {
  it("a key that expires makes none that outlive it; by default its keys expire with it", async () => {
    const t = await team();
    const parent = await keyOf(t.admin, t, { expires_in_days: 3 });
    const make = (body: unknown) => call("POST", "/admin/organization-pats", { token: parent.token, body });
    expectProblem(await make({ name: "never", expires_at: null }), 400, "validation_failed");
    expectProblem(await make({ name: "later", expires_in_days: 4 }), 400, "validation_failed");
    const child = await make({ name: "child" });
    expect(child.status).toBe(201);
    expect(child.json.expires_at).toBe(parent.expires_at);
  });

  it("a narrow key lists and revokes only keys within its power", async () => {
    const t = await team();
    const narrow = await keyOf(t.admin, t, { scopes: ["api_keys:manage", "members:read"] });
    const weaker = await call("POST", "/admin/organization-pats", {
      token: narrow.token,
      body: { name: "weaker", scopes: ["members:read"] },
    });
    const strong = await keyOf(t.admin, t);
    const seen = (await call("GET", "/admin/organization-pats?limit=100", { token: narrow.token })).json.data.map(
      (k: { key_id: string }) => k.key_id,
    );
    expect(seen).toEqual(expect.arrayContaining([narrow.key_id, weaker.json.key_id]));
    expect(seen).not.toContain(strong.key_id);
    expectProblem(
      await call("DELETE", `/admin/organization-pats/${strong.key_id}`, { token: narrow.token }),
      404,
      "not_found",
    );
    expect((await call("GET", "/admin/organization", { token: strong.token })).status).toBe(200);
    expect(
      (await call("DELETE", `/admin/organization-pats/${weaker.json.key_id}`, { token: narrow.token })).status,
    ).toBe(204);
  });
});
