import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { and, eq, isNull } from "drizzle-orm";
import wranglerToml from "../../wrangler.toml?raw";
import readme from "../../README.md?raw";
import { apiKeys, invitations, organizations, personalTokens } from "../../src/db/schema";
import { DEFAULT_LIMITS, limitsOf } from "../../src/quotas/limits";
import {
  addMember,
  call,
  createKey,
  createOrg,
  createPat,
  createUser,
  db,
  expectProblem,
  onPlan,
  tenant,
  uniq,
} from "../harness";
import { as, team } from "../members/fixtures";

/**
 * Issue 9 item 5: per-user and per-org quotas (403 quota_exceeded), exact under concurrent
 * requests, set in wrangler.toml and documented in the README. Defaults: 10 top-level
 * organizations per user, 3 of them free, 50 pending invitations and 25 API keys per org,
 * 25 PATs per user.
 */
const SETTINGS = {
  MAX_TOP_LEVEL_ORGS_PER_USER: DEFAULT_LIMITS.topLevelOrgsPerUser,
  MAX_FREE_ORGS_PER_USER: DEFAULT_LIMITS.freeOrgsPerUser,
  MAX_PENDING_INVITATIONS_PER_ORG: DEFAULT_LIMITS.pendingInvitationsPerOrg,
  MAX_API_KEYS_PER_ORG: DEFAULT_LIMITS.apiKeysPerOrg,
  MAX_PATS_PER_USER: DEFAULT_LIMITS.patsPerUser,
  EMAILS_PER_RECIPIENT_PER_DAY: DEFAULT_LIMITS.emailsPerRecipientPerDay,
};

const createTopLevel = (token: string, name = uniq("Q ")) =>
  call("POST", "/admin/organizations", { token, body: { name } });

describe("quota settings", () => {
  it("each is in wrangler.toml with its default and in the README's security section", () => {
    for (const [name, value] of Object.entries(SETTINGS)) {
      expect(wranglerToml).toMatch(new RegExp(`^${name} = "${value}"$`, "m"));
      expect(readme).toContain(name);
    }
  });

  it("are read from the environment; unset or nonsense falls back to the default", () => {
    expect(limitsOf({ ...env, MAX_FREE_ORGS_PER_USER: "1", MAX_API_KEYS_PER_ORG: "7" })).toMatchObject({
      freeOrgsPerUser: 1,
      apiKeysPerOrg: 7,
    });
    expect(limitsOf({ ...env, MAX_PATS_PER_USER: "lots", MAX_FREE_ORGS_PER_USER: "0" })).toMatchObject({
      patsPerUser: DEFAULT_LIMITS.patsPerUser,
      freeOrgsPerUser: DEFAULT_LIMITS.freeOrgsPerUser,
    });
  });
});

describe("organizations per user", () => {
  it("a user creates at most 3 free top-level organizations; deleting one frees its place", async () => {
    const u = await createUser();
    const made = [];
    for (let i = 0; i < 3; i++) {
      const res = await createTopLevel(u.session);
      expect(res.status).toBe(201);
      made.push(res.json);
    }
    const over = await createTopLevel(u.session);
    expectProblem(over, 403, "quota_exceeded");
    expect(over.json.detail).toMatch(/at most 3 organizations on the free plan/);
    const first = made[0];
    expect((await as(u, first.id)("DELETE", "/admin/organization", { slug: first.slug })).status).toBe(204);
    expect((await createTopLevel(u.session)).status).toBe(201);
  });

  it("holds under concurrent requests: eight at once from a new user make exactly three", async () => {
    const u = await createUser();
    const results = await Promise.all(Array.from({ length: 8 }, () => createTopLevel(u.session)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 403, "quota_exceeded");
    const rows = await db().select().from(organizations).where(eq(organizations.createdBy, u.id));
    expect(rows).toHaveLength(3);
  });

  it("child organizations never count: an agency at its cap keeps creating clients", async () => {
    const u = await createUser();
    const roots = [];
    for (let i = 0; i < 3; i++) roots.push((await createTopLevel(u.session)).json);
    expectProblem(await createTopLevel(u.session), 403, "quota_exceeded");
    const root = roots[0];
    await onPlan(root.id, "agency");
    for (let i = 0; i < 6; i++) {
      const child = await call("POST", "/admin/organizations", {
        token: u.session,
        org: root.id,
        body: { name: uniq("Client "), parent_id: root.id },
      });
      expect(child.status).toBe(201);
    }
    // The agency's API key creates clients too.
    const key = await createKey({ id: root.id }, { createdBy: u.id });
    const byKey = await call("POST", "/admin/organizations", {
      token: key.token,
      body: { name: "Client by key", parent_id: root.id },
    });
    expect(byKey.status).toBe(201);
  });

  it("handing an org to someone else does not reset the count (it counts the orgs a user created)", async () => {
    const u = await createUser();
    const other = await createUser();
    for (let i = 0; i < 3; i++) {
      const org = (await createTopLevel(u.session)).json;
      await addMember(org, other, ["member"]);
      const moved = await as(u, org.id)("POST", "/admin/organization/transfer-ownership", { user_id: other.id });
      expect(moved.status).toBe(200);
    }
    expectProblem(await createTopLevel(u.session), 403, "quota_exceeded");
  });

  it("orgs on a paid plan count only against the top-level cap of 10", async () => {
    const u = await createUser();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) expect((await createTopLevel(u.session)).status).toBe(201);
      // As if upgraded (plans come later): no longer free.
      await db().update(organizations).set({ plan: "smb" }).where(eq(organizations.createdBy, u.id));
    }
    expect((await createTopLevel(u.session)).status).toBe(201); // the tenth
    const over = await createTopLevel(u.session);
    expectProblem(over, 403, "quota_exceeded");
    expect(over.json.detail).toMatch(/at most 10 top-level organizations/);
  });
});

describe("pending invitations per organization", () => {
  const invite = (t: Awaited<ReturnType<typeof team>>, email: string) =>
    as(t.admin, t.org.id)("POST", "/admin/invitations", { email, role: "member" });

  it("at most 50 pending; re-inviting a pending address still resends; revoked and expired ones do not count", async () => {
    const t = await team();
    const emails = Array.from({ length: 50 }, () => `${uniq("inv")}@example.com`);
    for (const email of emails) expect((await invite(t, email)).status).toBe(201);
    const over = await invite(t, `${uniq("over")}@example.com`);
    expectProblem(over, 403, "quota_exceeded");
    expect(over.json.detail).toMatch(/at most 50 pending invitations/);
    const pending = await db().select().from(invitations).where(eq(invitations.orgId, t.org.id));
    expect(pending).toHaveLength(50); // nothing written by the refused request

    expect((await invite(t, emails[0] as string)).status).toBe(200); // a resend adds no invitation
    const [one] = pending;
    expect((await as(t.admin, t.org.id)("DELETE", `/admin/invitations/${one?.id}`)).status).toBe(204);
    expect((await invite(t, `${uniq("freed")}@example.com`)).status).toBe(201);
    await db()
      .update(invitations)
      .set({ expiresAt: Date.now() - 1 })
      .where(and(eq(invitations.orgId, t.org.id), eq(invitations.email, emails[1] as string)));
    expect((await invite(t, `${uniq("after-expiry")}@example.com`)).status).toBe(201);
    // Resending the expired one would make it pending again: refused at the cap.
    const expired = pending.find((p) => p.email === emails[1]);
    expectProblem(
      await as(t.admin, t.org.id)("POST", `/admin/invitations/${expired?.id}/resend`),
      403,
      "quota_exceeded",
    );
  });

  it("holds under concurrent requests", async () => {
    const t = await team();
    for (let i = 0; i < 48; i++) await invite(t, `${uniq("c")}@example.com`);
    const results = await Promise.all(Array.from({ length: 6 }, () => invite(t, `${uniq("race")}@example.com`)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    const rows = await db().select().from(invitations).where(eq(invitations.orgId, t.org.id));
    expect(rows).toHaveLength(50);
  });
});

describe("credentials", () => {
  it("an organization holds at most 25 active API keys; revoked and expired keys do not count", async () => {
    const t = await tenant(); // one key already
    const create = () => call("POST", "/admin/organization-pats", { token: t.pat, org: t.org.id, body: { name: "k" } });
    for (let i = 0; i < 24; i++) expect((await create()).status).toBe(201);
    const over = await create();
    expectProblem(over, 403, "quota_exceeded");
    expect(over.json.detail).toMatch(/at most 25 active API keys/);
    expect(await db().select().from(apiKeys).where(eq(apiKeys.orgId, t.org.id))).toHaveLength(25);
    expect((await call("DELETE", `/admin/organization-pats/${t.keyId}`, { token: t.pat, org: t.org.id })).status).toBe(
      204,
    );
    expect((await create()).status).toBe(201);
    const [any] = await db()
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.orgId, t.org.id), isNull(apiKeys.revokedAt)))
      .limit(1);
    await db()
      .update(apiKeys)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(apiKeys.id, any?.id ?? ""));
    expect((await create()).status).toBe(201);
    expectProblem(await create(), 403, "quota_exceeded");
  });

  it("API keys hold under concurrent requests", async () => {
    const t = await tenant();
    for (let i = 0; i < 22; i++) await createKey(t.org);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        call("POST", "/admin/organization-pats", { token: t.pat, org: t.org.id, body: { name: "k" } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
  });

  it("a user holds at most 25 active personal access tokens", async () => {
    const u = await createUser();
    await createOrg(u);
    const create = () => call("POST", "/admin/account/tokens", { token: u.session, body: { name: "t" } });
    const results = await Promise.all(Array.from({ length: 30 }, () => create()));
    expect(results.filter((r) => r.status === 201)).toHaveLength(25);
    for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 403, "quota_exceeded");
    const over = await create();
    expect(over.json.detail).toMatch(/at most 25 active personal access tokens/);
    const [one] = await db().select().from(personalTokens).where(eq(personalTokens.userId, u.id)).limit(1);
    expect((await call("DELETE", `/admin/account/tokens/${one?.id}`, { token: u.session })).status).toBe(204);
    expect((await create()).status).toBe(201);
    expect(await createPat(u).catch((e: Error) => e.message)).toMatch(/at most 25/);
  });
});
