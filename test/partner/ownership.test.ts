import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiKeys, auditLog, memberships, organizations } from "../../src/db/schema";
import {
  addMember,
  call,
  createKey,
  createOrg,
  createUser,
  db,
  defined,
  expectProblem,
  onPlan,
  tenant,
  uniq,
  type TestUser,
} from "../harness";
import { as, ownersOf, rolesInDb } from "../members/fixtures";
import { partnerTree, type Tree } from "./fixtures";

/**
 * Issue 9, item 7: a child created through the partner console is owned by its parent
 * organization until a partner hands it to one of its members; partners delete leaf children.
 */
const P = "/admin/partner-console/organizations";
let t: Tree;
beforeAll(async () => {
  t = await partnerTree();
  // Creating child organizations needs the agency plan (issue 10).
  await onPlan(t.agency.org.id, "agency");
});

/** A new child of the agency's org (the agency's owner its admin), with `member` as a member. */
async function child(member?: TestUser, roles: ("member" | "viewer" | "admin")[] = ["member"]) {
  const org = await createOrg(t.agency.owner, { parentId: t.agency.org.id, slug: uniq("pc-own-") });
  if (member) await addMember(org, member, roles);
  return org;
}
const handOver = (childId: string, userId: string, token = t.agency.key) =>
  call("POST", `${P}/${childId}/transfer-ownership`, { token, body: { user_id: userId } });
const partnerDelete = (org: { id: string; slug: string }, token = t.agency.key) =>
  call("DELETE", `${P}/${org.id}`, { token, body: { slug: org.slug } });
const exists = async (id: string) =>
  (await db().select().from(organizations).where(eq(organizations.id, id))).length === 1;

describe("a child created through the partner console is owned by its parent organization", () => {
  it("POST /admin/organizations with parent_id: the parent owns it, the creator is an admin; the views say so", async () => {
    const res = await call("POST", "/admin/organizations", {
      token: t.agency.key,
      body: { name: "Client", slug: uniq("pc-client-"), parent_id: t.a1.id },
    });
    expect(res.status).toBe(201);
    expect(res.json.owner).toEqual({ type: "organization", id: t.a1.id });
    expect(await ownersOf(res.json.id)).toEqual([]);
    expect(await rolesInDb(res.json.id, t.agency.owner.id)).toEqual(["admin"]);
    const view = await call("GET", `${P}/${res.json.id}`, { token: t.agency.key });
    expect(view.json.owner).toEqual({ type: "organization", id: t.a1.id });
    const inOrg = await as(t.agency.owner, res.json.id)("GET", "/admin/organization");
    expect(inOrg.json.owner).toEqual({ type: "organization", id: t.a1.id });
    // A top-level org is its creator's.
    const top = await call("GET", "/admin/organization", { token: t.agency.key });
    expect(top.json.owner).toEqual({ type: "user", id: t.agency.owner.id });
  });

  it("nobody in the child holds owner powers: its admins can neither delete nor transfer it, nor grant owner", async () => {
    const m = await createUser();
    const org = await child(m);
    const admin = as(t.agency.owner, org.id);
    const del = await admin("DELETE", "/admin/organization", { slug: org.slug });
    expectProblem(del, 403, "owner_required");
    expect(del.json.detail).toContain("partner");
    expectProblem(
      await admin("POST", "/admin/organization/transfer-ownership", { user_id: m.id }),
      403,
      "owner_required",
    );
    expectProblem(await admin("PUT", `/admin/members/${m.id}/roles`, { roles: ["owner"] }), 403, "owner_immutable");
    expectProblem(
      await call("PUT", `${P}/${org.id}/members/${m.id}/roles`, {
        token: t.agency.key,
        body: { roles: ["owner", "admin"] },
      }),
      403,
      "owner_immutable",
    );
    expect(await exists(org.id)).toBe(true);
    expect(await ownersOf(org.id)).toEqual([]);
  });
});

describe("POST /admin/partner-console/organizations/{child_id}/transfer-ownership", () => {
  it("hands the child to a member, who keeps its roles and gains owner; audited in the child's log", async () => {
    const m = await createUser();
    const org = await child(m, ["member", "viewer"]);
    expect((await as(m, org.id)("GET", "/admin/members/me/scopes")).json.scopes).not.toContain("organizations:delete");
    const res = await handOver(org.id, m.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.owner).toMatchObject({ user_id: m.id, roles: ["owner", "member", "viewer"], is_owner: true });
    expect(res.json.previous_owner).toEqual({ type: "organization", id: t.agency.org.id });
    expect(await ownersOf(org.id)).toEqual([m.id]);
    expect((await call("GET", `${P}/${org.id}`, { token: t.agency.key })).json.owner).toEqual({
      type: "user",
      id: m.id,
    });
    // The new owner's powers apply on its next request; the creator stays an admin.
    expect((await as(m, org.id)("GET", "/admin/members/me/scopes")).json.scopes).toContain("organizations:delete");
    expect(await rolesInDb(org.id, t.agency.owner.id)).toEqual(["admin"]);
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, org.id), eq(auditLog.action, "organization.ownership_transferred")));
    expect(audit).toEqual([
      expect.objectContaining({
        credentialKind: "api_key",
        credentialId: t.agency.keyId,
        targetId: m.id,
        before: { owner: { type: "organization", id: t.agency.org.id }, roles: ["member", "viewer"] },
        after: { owner: { type: "user", id: m.id }, roles: ["owner", "member", "viewer"] },
      }),
    ]);
  });

  it("then the child is its owner's: a second hand-over is 409, the owner transfers in-org, partners still delete", async () => {
    const [m, n] = [await createUser(), await createUser()];
    const org = await child(m);
    await addMember(org, n, ["member"]);
    expect((await handOver(org.id, m.id)).status).toBe(200);
    expectProblem(await handOver(org.id, n.id), 409, "conflict");
    expect(await ownersOf(org.id)).toEqual([m.id]);
    const moved = await as(m, org.id)("POST", "/admin/organization/transfer-ownership", { user_id: n.id });
    expect(moved.status).toBe(200);
    expect(await ownersOf(org.id)).toEqual([n.id]);
    // Partner powers over the subtree do not depend on who owns the org.
    expect((await partnerDelete(org)).status).toBe(204);
    expect(await exists(org.id)).toBe(false);
  });

  it("the new owner must be a member of the child: a member of the parent alone, or a stranger, is a 404", async () => {
    const org = await child();
    const parentAdmin = await createUser();
    await addMember(t.agency.org, parentAdmin, ["admin"]);
    for (const id of [parentAdmin.id, t.stranger.owner.id, "usr_nobody"]) {
      expectProblem(await handOver(org.id, id), 404, "not_found");
    }
    expect(await ownersOf(org.id)).toEqual([]);
    expectProblem(
      await call("POST", `${P}/${org.id}/transfer-ownership`, { token: t.agency.key, body: {} }),
      400,
      "validation_failed",
    );
  });

  it("two hand-overs at once leave exactly one owner", async () => {
    const [m, n] = [await createUser(), await createUser()];
    const org = await child(m);
    await addMember(org, n, ["member"]);
    const results = await Promise.all([handOver(org.id, m.id), handOver(org.id, n.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = defined(results.find((r) => r.status === 200)).json.owner.user_id;
    expect(await ownersOf(org.id)).toEqual([winner]);
  });
});

describe("DELETE /admin/partner-console/organizations/{child_id}", () => {
  it("deletes a leaf and everything it owns; its keys fail; the deletion is in its kept audit log", async () => {
    const org = await child(await createUser());
    const key = await createKey(org, { createdBy: t.agency.owner.id });
    expect((await call("GET", "/admin/organization", { token: key.token })).status).toBe(200);
    expect((await partnerDelete(org)).status).toBe(204);
    expect(await exists(org.id)).toBe(false);
    expect(await db().select().from(memberships).where(eq(memberships.orgId, org.id))).toEqual([]);
    expect(await db().select().from(apiKeys).where(eq(apiKeys.orgId, org.id))).toEqual([]);
    expect((await call("GET", "/admin/organization", { token: key.token })).status).toBe(401);
    const audit = await db().select().from(auditLog).where(eq(auditLog.orgId, org.id));
    expect(audit.find((r) => r.action === "organization.deleted")).toMatchObject({
      credentialKind: "api_key",
      credentialId: t.agency.keyId,
    });
    expectProblem(await partnerDelete(org), 404, "not_found");
  });

  it("is refused (409) while the org has children; deleted bottom-up, the tree and then its top can go", async () => {
    // Before: no child could be deleted, so neither could any parent, for ever.
    const agency = await tenant();
    const kid = await createOrg(agency.owner, { parentId: agency.org.id, slug: uniq("pc-kid-") });
    const grandkid = await createOrg(agency.owner, { parentId: kid.id, slug: uniq("pc-grandkid-") });
    expectProblem(await partnerDelete(kid, agency.key), 409, "has_children");
    expect(await exists(kid.id)).toBe(true);
    expect((await partnerDelete(grandkid, agency.key)).status).toBe(204);
    expect((await partnerDelete(kid, agency.key)).status).toBe(204);
    const top = await as(agency.owner, agency.org.id)("DELETE", "/admin/organization", { slug: agency.org.slug });
    expect(top.status).toBe(204);
    expect(await exists(agency.org.id)).toBe(false);
  });

  it("needs the org's current slug as confirmation (400, nothing deleted)", async () => {
    const org = await child();
    for (const body of [{}, { slug: `${org.slug}-x` }, { slug: t.agency.org.slug }]) {
      expectProblem(await call("DELETE", `${P}/${org.id}`, { token: t.agency.key, body }), 400, "validation_failed");
    }
    expect(await exists(org.id)).toBe(true);
  });

  it("re-checks the caller's authority in the database: a demoted admin or a revoked key still cached cannot delete", async () => {
    const admin = await createUser();
    await addMember(t.agency.org, admin, ["admin"]);
    const key = await createKey(t.agency.org, { createdBy: t.agency.owner.id });
    const org = await child();
    // Both credentials are used once, so their roles and key are now in this isolate's cache.
    expect((await call("GET", `${P}/${org.id}`, { token: admin.session, org: t.agency.org.id })).status).toBe(200);
    expect((await call("GET", `${P}/${org.id}`, { token: key.token })).status).toBe(200);
    // Behind the cache's back (as if changed through another isolate):
    await env.DB.prepare("UPDATE memberships SET roles = 'member' WHERE org_id = ? AND user_id = ?")
      .bind(t.agency.org.id, admin.id)
      .run();
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(Date.now(), key.id).run();
    expectProblem(
      await call("DELETE", `${P}/${org.id}`, { token: admin.session, org: t.agency.org.id, body: { slug: org.slug } }),
      403,
      "insufficient_scope",
    );
    expectProblem(await partnerDelete(org, key.token), 403, "insufficient_scope");
    expect(await exists(org.id)).toBe(true);
  });
});

describe("what a partner does to an org below its own is never done to its own org", () => {
  it.each([
    ["POST", "transfer-ownership", { user_id: "usr_x" }],
    ["DELETE", "", { slug: "x" }],
    ["POST", "suspend", undefined],
    ["POST", "resume", undefined],
  ] as const)("%s …/{own org}/%s is a 403", async (method, action, body) => {
    const path = `${P}/${t.agency.org.id}${action ? `/${action}` : ""}`;
    const own = { ...(body ?? {}), ...(action === "" ? { slug: t.agency.org.slug } : {}) };
    expectProblem(await call(method, path, { token: t.agency.key, body: body ? own : undefined }), 403, "forbidden");
    expect(await exists(t.agency.org.id)).toBe(true);
  });
});

describe("the owner role is never granted or taken by a role update (both mounts)", () => {
  it("the child's owner keeps its roles and membership; nobody else gains owner", async () => {
    const [m, n] = [await createUser(), await createUser()];
    const org = await child(m);
    await addMember(org, n, ["member"]);
    expect((await handOver(org.id, m.id)).status).toBe(200);
    const inOrg = as(t.agency.owner, org.id);
    const partner = (method: string, path: string, body?: unknown) =>
      call(method, `${P}/${org.id}${path}`, { token: t.agency.key, body });
    for (const mount of [inOrg, partner]) {
      const base = mount === inOrg ? "/admin" : "";
      expectProblem(await mount("PUT", `${base}/members/${m.id}/roles`, { roles: ["admin"] }), 403, "owner_immutable");
      expectProblem(await mount("DELETE", `${base}/members/${m.id}`), 403, "owner_immutable");
      expectProblem(await mount("PUT", `${base}/members/${n.id}/roles`, { roles: ["owner"] }), 403, "owner_immutable");
    }
    expect(await rolesInDb(org.id, m.id)).toEqual(["owner", "member"]);
    expect(await rolesInDb(org.id, n.id)).toEqual(["member"]);
  });
});

describe("exactly one owner for every organization", () => {
  it("holds for every org this file (and the database) holds: a member owner, or its parent organization", async () => {
    const broken = await env.DB.prepare(
      `SELECT o.id FROM organizations o
       WHERE NOT (
         (o.owner_org_id = o.parent_id AND o.owner_user_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND m.is_owner = 1))
         OR (o.owner_org_id IS NULL AND o.owner_user_id IS NOT NULL
           AND (SELECT count(*) FROM memberships m WHERE m.org_id = o.id AND m.is_owner = 1) = 1
           AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND m.user_id = o.owner_user_id AND m.is_owner = 1)))`,
    ).all();
    expect(broken.results).toEqual([]);
    const total = await env.DB.prepare("SELECT count(*) AS n FROM organizations").first<{ n: number }>();
    expect(total?.n).toBeGreaterThan(10);
  });
});
