import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { apiKeys, auditLog } from "../../src/db/schema";
import { ROLE_SCOPES, sortScopes } from "../../src/auth/scopes";
import { call, createKey, db, defined, expectProblem } from "../harness";
import { as, team } from "../members/fixtures";

/**
 * Issue 9, item 4: an org API key made by a user acts with at most that user's current power
 * in the org; a removed or demoted admin keeps no power through the keys they made, unless
 * an owner explicitly keeps a key.
 */
type Team = Awaited<ReturnType<typeof team>>;

/** The admin makes a key with every scope they may give it, through the API. */
async function adminKey(t: Team, body: Record<string, unknown> = {}) {
  const res = await as(t.admin, t.org.id)("POST", "/admin/organization-pats", { name: "admin's key", ...body });
  expect(res.status, res.text).toBe(201);
  return res.json as { key_id: string; token: string; scopes: string[] };
}

const scopesOf = async (token: string) => (await call("GET", "/admin/members/me/scopes", { token })).json.scopes;
const keyInList = async (t: Team, keyId: string) =>
  (await as(t.owner, t.org.id)("GET", "/admin/organization-pats?limit=100")).json.data.find(
    (k: { key_id: string }) => k.key_id === keyId,
  );

describe("an org API key is bound to its creator", () => {
  it("the incident: the removed admin's key can neither list members nor invite them back", async () => {
    const t = await team();
    const key = await adminKey(t);
    expect((await call("GET", "/admin/members", { token: key.token })).status).toBe(200);
    expect((await as(t.owner, t.org.id)("DELETE", `/admin/members/${t.admin.id}`)).status).toBe(204);
    const members = await call("GET", "/admin/members", { token: key.token });
    expectProblem(members, 401, "credential_revoked");
    expect(members.json.detail).toMatch(/creator/);
    expectProblem(
      await call("POST", "/admin/invitations", { token: key.token, body: { email: t.admin.email, role: "admin" } }),
      401,
      "credential_revoked",
    );
  });

  it("an admin who leaves takes their key's power with them", async () => {
    const t = await team();
    const key = await adminKey(t);
    expect((await as(t.admin, t.org.id)("POST", "/admin/members/me/leave")).status).toBe(204);
    expectProblem(await call("GET", "/admin/organization", { token: key.token }), 401, "credential_revoked");
  });

  it("the incident: demoted to viewer, the admin's key keeps only viewer scopes, at once", async () => {
    const t = await team();
    const key = await adminKey(t);
    expect(key.scopes.length).toBe(14);
    const demoted = await as(t.owner, t.org.id)("PUT", `/admin/members/${t.admin.id}/roles`, { roles: ["viewer"] });
    expect(demoted.status).toBe(200);
    expect(await scopesOf(key.token)).toEqual(sortScopes(ROLE_SCOPES.viewer));
    expectProblem(
      await call("POST", "/admin/invitations", { token: key.token, body: { email: "x@example.com", role: "admin" } }),
      403,
      "insufficient_scope",
    );
    expectProblem(await call("GET", "/admin/organization-pats", { token: key.token }), 403, "insufficient_scope");
    // Promoted again, the key's own scopes come back: the key never holds more than it was made with.
    await as(t.owner, t.org.id)("PUT", `/admin/members/${t.admin.id}/roles`, { roles: ["admin"] });
    expect((await scopesOf(key.token)).length).toBe(14);
  });

  it("a key made by a bound key is bound to the same creator (no laundering through a key)", async () => {
    const t = await team();
    const parent = await adminKey(t);
    const child = await call("POST", "/admin/organization-pats", { token: parent.token, body: { name: "child" } });
    expect(child.status, child.text).toBe(201);
    expect(child.json).toMatchObject({ created_by: t.admin.id, bound_to_creator: true });
    await as(t.owner, t.org.id)("DELETE", `/admin/members/${t.admin.id}`);
    expectProblem(await call("GET", "/admin/members", { token: child.json.token }), 401, "credential_revoked");
  });

  it("the key list shows who made each key and whether it is bound to them", async () => {
    const t = await team();
    const key = await adminKey(t);
    const system = await createKey(t.org);
    expect(await keyInList(t, key.key_id)).toMatchObject({
      created_by: t.admin.id,
      bound_to_creator: true,
      kept_by: null,
      kept_at: null,
    });
    // A key no user made (the system's) is not bound: it keeps its own scopes.
    expect(await keyInList(t, system.id)).toMatchObject({ created_by: null, bound_to_creator: false });
    expect((await call("GET", "/admin/organization", { token: system.token })).status).toBe(200);
  });
});

describe("POST /admin/organization-pats/{key_id}/keep", () => {
  it("the owner lets a key outlive its creator: it keeps its own scopes, and the decision is audited", async () => {
    const t = await team();
    const key = await adminKey(t);
    const kept = await as(t.owner, t.org.id)("POST", `/admin/organization-pats/${key.key_id}/keep`);
    expect(kept.status, kept.text).toBe(200);
    expect(kept.json).toMatchObject({
      key_id: key.key_id,
      created_by: t.admin.id,
      bound_to_creator: false,
      kept_by: t.owner.id,
      kept_at: expect.any(String),
    });
    await as(t.owner, t.org.id)("PUT", `/admin/members/${t.admin.id}/roles`, { roles: ["viewer"] });
    expect((await scopesOf(key.token)).length).toBe(14);
    await as(t.owner, t.org.id)("DELETE", `/admin/members/${t.admin.id}`);
    expect((await call("GET", "/admin/members", { token: key.token })).status).toBe(200);
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, t.org.id), eq(auditLog.action, "api_key.kept")));
    expect(audit).toMatchObject([{ targetId: key.key_id, actorUserId: t.owner.id }]);
    // Keeping it again changes nothing and writes no second entry.
    expect((await as(t.owner, t.org.id)("POST", `/admin/organization-pats/${key.key_id}/keep`)).status).toBe(200);
    expect(
      await db()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.orgId, t.org.id), eq(auditLog.action, "api_key.kept"))),
    ).toHaveLength(1);
  });

  it("a key whose creator already left comes back once kept (the cached answer is forgotten)", async () => {
    const t = await team();
    const key = await adminKey(t);
    await as(t.owner, t.org.id)("DELETE", `/admin/members/${t.admin.id}`);
    expectProblem(await call("GET", "/admin/organization", { token: key.token }), 401, "credential_revoked");
    expect((await as(t.owner, t.org.id)("POST", `/admin/organization-pats/${key.key_id}/keep`)).status).toBe(200);
    expect((await call("GET", "/admin/organization", { token: key.token })).status).toBe(200);
  });

  it("only the owner: an admin, the key itself and another org's key are refused", async () => {
    const t = await team();
    const key = await adminKey(t);
    expectProblem(
      await as(t.admin, t.org.id)("POST", `/admin/organization-pats/${key.key_id}/keep`),
      403,
      "owner_required",
    );
    expectProblem(
      await call("POST", `/admin/organization-pats/${key.key_id}/keep`, { token: key.token }),
      403,
      "owner_required",
    );
    expectProblem(
      await as(t.member, t.org.id)("POST", `/admin/organization-pats/${key.key_id}/keep`),
      403,
      "insufficient_scope",
    );
    const other = await team();
    expectProblem(
      await as(other.owner, other.org.id)("POST", `/admin/organization-pats/${key.key_id}/keep`),
      404,
      "not_found",
    );
    const row = defined((await db().select().from(apiKeys).where(eq(apiKeys.id, key.key_id)))[0]);
    expect(row.boundToCreator).toBe(true);
  });
});
