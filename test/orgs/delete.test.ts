import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { agents, knowledgeBases, phoneNumbers } from "../../src/db/schema";
import { concurrencyOf } from "../../src/calls/client";
import { eq } from "drizzle-orm";
import {
  apiKeys,
  auditLog,
  emailDeliveries,
  invitations,
  memberships,
  organizations,
  orgSlugHistory,
} from "../../src/db/schema";
import { buildApp, ORG_HOOKS } from "../../src/app";
import { composeLifecycle, type OrgHooks } from "../../src/orgs/lifecycle";
import { call, createKey, createOrg, createPat, db, expectProblem, uniq } from "../harness";
import { as, rolesInDb, team } from "../members/fixtures";

const del = (t: Awaited<ReturnType<typeof team>>, slug: string, who = t.owner) =>
  as(who, t.org.id)("DELETE", "/admin/organization", { slug });
const orgExists = async (id: string) =>
  (await db().select().from(organizations).where(eq(organizations.id, id))).length === 1;

describe("DELETE /admin/organization", () => {
  it("the owner deletes the org and everything it owns in one go; its credentials fail at once", async () => {
    const t = await team();
    const key = await createKey(t.org, { createdBy: t.owner.id });
    const memberPat = await createPat(t.member);
    expect((await call("GET", "/admin/organization", { token: key.token })).status).toBe(200);
    expect((await call("GET", "/admin/organization", { token: memberPat, org: t.org.id })).status).toBe(200);
    await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: `${uniq("d")}@example.com`, role: "member" });
    const oldSlug = t.org.slug;
    const renamed = await as(t.owner, t.org.id)("PATCH", "/admin/organization", { slug: uniq("renamed") });
    expect(renamed.status).toBe(200);

    const res = await as(t.owner, t.org.id)("DELETE", "/admin/organization", { slug: renamed.json.slug });
    expect(res.status).toBe(204);

    expect(await orgExists(t.org.id)).toBe(false);
    expect(await db().select().from(memberships).where(eq(memberships.orgId, t.org.id))).toEqual([]);
    expect(await db().select().from(apiKeys).where(eq(apiKeys.orgId, t.org.id))).toEqual([]);
    expect(await db().select().from(invitations).where(eq(invitations.orgId, t.org.id))).toEqual([]);
    expect(await db().select().from(orgSlugHistory).where(eq(orgSlugHistory.orgId, t.org.id))).toEqual([]);

    const keyRes = await call("GET", "/admin/organization", { token: key.token });
    expect(keyRes.status).toBe(401);
    expectProblem(await call("GET", "/admin/organization", { token: memberPat, org: t.org.id }), 403, "not_a_member");
    expectProblem(await as(t.owner, t.org.id)("GET", "/admin/members"), 403, "not_a_member");
    expectProblem(
      await call("GET", "/admin/organization", { token: t.owner.session, org: oldSlug }),
      403,
      "not_a_member",
    );
    // The users stay.
    expect((await call("GET", "/admin/me", { token: t.member.session })).status).toBe(200);
  });

  it("keeps the audit log, including who deleted the org", async () => {
    const t = await team();
    expect((await del(t, t.org.slug)).status).toBe(204);
    const rows = await db().select().from(auditLog).where(eq(auditLog.orgId, t.org.id));
    expect(rows.find((r) => r.action === "organization.deleted")).toMatchObject({
      actorUserId: t.owner.id,
      credentialKind: "session",
      targetId: t.org.id,
    });
  });

  it("an admin cannot delete the organization", async () => {
    const t = await team();
    expectProblem(await del(t, t.org.slug, t.admin), 403, "owner_required");
    expect(await orgExists(t.org.id)).toBe(true);
  });

  it("a former owner whose role is still cached cannot delete: the batch re-checks ownership in the database", async () => {
    const t = await team();
    expect((await as(t.owner, t.org.id)("GET", "/admin/organization")).status).toBe(200); // caches roles ["owner"]
    // Ownership moves behind this isolate's back (as if transferred through another isolate):
    // one write of the org's owner, the database moves the roles with it.
    await db().update(organizations).set({ ownerUserId: t.admin.id }).where(eq(organizations.id, t.org.id));
    expect(await rolesInDb(t.org.id, t.owner.id)).toEqual(["admin"]);
    expect(await rolesInDb(t.org.id, t.admin.id)).toEqual(["owner", "admin"]);
    expectProblem(await del(t, t.org.slug), 403, "owner_required");
    expect(await orgExists(t.org.id)).toBe(true);
  });

  it("requires the slug as confirmation", async () => {
    const t = await team();
    const res = await del(t, `${t.org.slug}-nope`);
    expectProblem(res, 400, "validation_failed");
    expect(res.json.errors[0].field).toBe("slug");
    expectProblem(await as(t.owner, t.org.id)("DELETE", "/admin/organization"), 400, "validation_failed");
    expect(await orgExists(t.org.id)).toBe(true);
  });

  it("an owner's PAT without organizations:delete and an org API key cannot delete", async () => {
    const t = await team();
    const pat = await createPat(t.owner, { scopes: ["organizations:manage"] });
    expectProblem(
      await call("DELETE", "/admin/organization", { token: pat, org: t.org.id, body: { slug: t.org.slug } }),
      403,
      "insufficient_scope",
    );
    const key = await createKey(t.org, { createdBy: t.owner.id });
    expectProblem(
      await call("DELETE", "/admin/organization", { token: key.token, body: { slug: t.org.slug } }),
      403,
      "forbidden",
    );
    expect(await orgExists(t.org.id)).toBe(true);
  });

  it("is refused (409) while the org has child organizations", async () => {
    const t = await team();
    const child = await createOrg(t.owner, { parentId: t.org.id });
    expectProblem(await del(t, t.org.slug), 409, "has_children");
    expect(await orgExists(t.org.id)).toBe(true);
    expect(await orgExists(child.id)).toBe(true);
    await db().batch([
      db().delete(memberships).where(eq(memberships.orgId, child.id)),
      db().delete(organizations).where(eq(organizations.id, child.id)),
    ]);
    expect((await del(t, t.org.slug)).status).toBe(204);
  });

  it("the database itself refuses deleting a parent (the parent_id foreign key backs the 409)", async () => {
    const t = await team();
    await createOrg(t.owner, { parentId: t.org.id });
    const res = await db()
      .delete(organizations)
      .where(eq(organizations.id, t.org.id))
      .then(
        () => "deleted",
        (e: Error) => String(e.cause ?? e),
      );
    expect(res).toMatch(/FOREIGN KEY/);
  });

  it("capabilities extend the deletion: their statements join the batch, their clean-up runs after commit", async () => {
    const t = await team();
    const marker = `${uniq("m")}@example.com`;
    await db()
      .insert(emailDeliveries)
      .values({ messageKey: marker, recipient: marker, subject: "s", body: "b", provider: "test", sentAt: 1 });
    const cleaned: string[] = [];
    const marking: OrgHooks = {
      deletionStatements: (d, orgId) =>
        orgId === t.org.id ? [d.delete(emailDeliveries).where(eq(emailDeliveries.messageKey, marker))] : [],
      afterDeletion: async (_env, org) => {
        if (org.id === t.org.id) cleaned.push(org.id);
      },
    };
    // An app like the worker's, with one more capability listed.
    const app = buildApp(composeLifecycle([...ORG_HOOKS, marking]));
    const ctx = createExecutionContext();
    const req = new Request("http://api.test/admin/organization", {
      method: "DELETE",
      headers: {
        authorization: `Bearer ${t.owner.session}`,
        "x-anyreach-org": t.org.id,
        "content-type": "application/json",
      },
      body: JSON.stringify({ slug: t.org.slug }),
    });
    expect((await app.fetch(req, env, ctx)).status).toBe(204);
    await waitOnExecutionContext(ctx);
    expect(await db().select().from(emailDeliveries).where(eq(emailDeliveries.messageKey, marker))).toEqual([]);
    await expect.poll(() => cleaned).toEqual([t.org.id]);
  });
});

describe("DELETE /admin/organization removes the org's resources and its Durable Object state", () => {
  it("agents, knowledge bases and phone numbers go in the same batch; running calls are forgotten", async () => {
    const t = await team();
    const key = await createKey(t.org, { createdBy: t.owner.id });
    expect((await call("POST", "/admin/agents", { token: key.token, body: { name: "Doomed" } })).status).toBe(201);
    expect(
      (await call("POST", "/admin/knowledge-bases", { token: key.token, body: { name: "Doomed KB" } })).status,
    ).toBe(201);
    expect(
      (await call("POST", "/admin/calls", { token: key.token, body: { channel: "voice", direction: "inbound" } }))
        .status,
    ).toBe(201);
    expect((await concurrencyOf(env, t.org.id).getStatus()).active).toBe(1);

    expect((await del(t, t.org.slug)).status).toBe(204);

    for (const table of [agents, knowledgeBases, phoneNumbers]) {
      expect(await db().select().from(table).where(eq(table.orgId, t.org.id))).toEqual([]);
    }
    // The DO is cleared after the batch commits (waitUntil): poll until it is.
    const deadline = Date.now() + 5000;
    while ((await concurrencyOf(env, t.org.id).getStatus()).active !== 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect((await concurrencyOf(env, t.org.id).getStatus()).active).toBe(0);
  });
});
