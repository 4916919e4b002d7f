import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../src/db/schema";
import { call, createKey, createOrg, db, expectProblem, tenant, uniq } from "../harness";
import { as } from "../members/fixtures";
import { deliver } from "../provisioning/helpers";

/**
 * Issue 9, item 10: status is not something a tenant sets on itself; a partner suspends and
 * resumes a child, and a suspended org reads but refuses calls, invitations and new keys.
 */
const P = "/admin/partner-console/organizations";
type Agency = Awaited<ReturnType<typeof tenant>>;
let agency: Agency;
beforeAll(async () => {
  agency = await tenant();
});

/** An active (provisioned) child of the agency with an org API key; the agency's owner is its admin. */
async function activeChild(parentId = agency.org.id) {
  const org = await createOrg(agency.owner, { parentId, slug: uniq("pc-susp-") });
  await deliver("provisioning", [{ orgId: org.id }]);
  const key = await createKey(org, { createdBy: agency.owner.id });
  return { org, key: key.token };
}
const suspend = (id: string, token = agency.key) => call("POST", `${P}/${id}/suspend`, { token });
const resume = (id: string, token = agency.key) => call("POST", `${P}/${id}/resume`, { token });
const count = async (table: string, orgId: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE org_id = ?`).bind(orgId).first<{ n: number }>())?.n;
const startCall = (token: string) =>
  call("POST", "/admin/calls", { token, body: { channel: "voice", direction: "outbound" } });

describe("a partner suspends a child", () => {
  it("the child still reads, but refuses calls, invitations and new keys (403), at once despite the cache", async () => {
    const { org, key } = await activeChild();
    const admin = as(agency.owner, org.id);
    const pending = await call("POST", "/admin/invitations", {
      token: key,
      body: { email: `${uniq("inv")}@example.com`, role: "member" },
    });
    expect(pending.status).toBe(201);
    const running = await startCall(key);
    expect(running.status).toBe(201);
    // The child's org row is now in this isolate's cache, as active.
    expect((await call("GET", "/admin/organization", { token: key })).json.status).toBe("active");

    const res = await suspend(org.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: org.id, status: "suspended" });

    for (const path of [
      "/admin/organization",
      "/admin/members",
      "/admin/invitations",
      "/admin/organization-pats",
      "/admin/concurrency",
      "/admin/usage/summary",
      "/admin/phone-numbers",
    ]) {
      expect((await call("GET", path, { token: key })).status, path).toBe(200);
    }
    expect((await call("GET", "/admin/organization", { token: key })).json.status).toBe("suspended");
    const [invitations, keys] = [await count("invitations", org.id), await count("api_keys", org.id)];

    const refused = [
      await startCall(key),
      await admin("POST", "/admin/calls", { channel: "chat", direction: "inbound" }),
      await call("POST", "/admin/invitations", {
        token: key,
        body: { email: `${uniq("i")}@example.com`, role: "admin" },
      }),
      await call("POST", `/admin/invitations/${pending.json.id}/resend`, { token: key }),
      await call("POST", `${P}/${org.id}/invitations`, {
        token: agency.key,
        body: { email: `${uniq("i")}@example.com`, role: "member" },
      }),
      await admin("POST", "/admin/organization-pats", { name: "new key", expires_at: null }),
      await call("POST", "/admin/organization-pats", { token: key, body: { name: "new key", expires_at: null } }),
    ];
    for (const r of refused) expectProblem(r, 403, "organization_suspended");
    expect([await count("invitations", org.id), await count("api_keys", org.id)]).toEqual([invitations, keys]);
    const sent = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, org.id), eq(auditLog.action, "invitation.resent")));
    expect(sent).toEqual([]);

    // A call already running may go on and end.
    expect((await call("POST", `/admin/calls/${running.json.id}/heartbeat`, { token: key })).status).toBe(200);
    expect((await call("POST", `/admin/calls/${running.json.id}/end`, { token: key })).status).toBe(200);

    // Resumed, everything works again.
    const back = await resume(org.id);
    expect(back.json).toMatchObject({ id: org.id, status: "active" });
    const again = await startCall(key);
    expect(again.status).toBe(201);
    await call("POST", `/admin/calls/${again.json.id}/end`, { token: key });
    expect((await call("POST", `/admin/invitations/${pending.json.id}/resend`, { token: key })).status).toBe(200);
    const newKey = await call("POST", "/admin/organization-pats", {
      token: key,
      body: { name: "k", expires_at: null },
    });
    expect(newKey.status).toBe(201);
  });

  it("is audited in the child's log; asking for the state it is in changes nothing", async () => {
    const { org } = await activeChild();
    expect((await suspend(org.id)).status).toBe(200);
    expect((await suspend(org.id)).json.status).toBe("suspended");
    expect((await resume(org.id)).status).toBe(200);
    expect((await resume(org.id)).json.status).toBe("active");
    const rows = await db().select().from(auditLog).where(eq(auditLog.orgId, org.id));
    const changes = rows.filter((r) => r.targetType === "organization").map((r) => [r.action, r.before, r.after]);
    expect(changes).toEqual([
      ["organization.suspended", { status: "active" }, { status: "suspended" }],
      ["organization.resumed", { status: "suspended" }, { status: "active" }],
    ]);
    expect(rows.find((r) => r.action === "organization.suspended")).toMatchObject({
      credentialKind: "api_key",
      credentialId: agency.keyId,
    });
  });

  it("does not cascade: a suspended org's children still start calls", async () => {
    const parent = await activeChild();
    const grandchild = await activeChild(parent.org.id);
    expect((await suspend(parent.org.id)).status).toBe(200);
    expectProblem(await startCall(parent.key), 403, "organization_suspended");
    const call1 = await startCall(grandchild.key);
    expect(call1.status).toBe(201);
    await call("POST", `/admin/calls/${call1.json.id}/end`, { token: grandchild.key });
    // The agency reaches the grandchild through the suspended org, and may suspend it too.
    expect((await suspend(grandchild.org.id)).json.status).toBe("suspended");
  });

  it("an org still provisioning cannot be suspended (409); status stays what provisioning makes it", async () => {
    const org = await createOrg(agency.owner, { parentId: agency.org.id, slug: uniq("pc-prov-") });
    expectProblem(await suspend(org.id), 409, "conflict");
    expectProblem(await resume(org.id), 409, "conflict");
    await deliver("provisioning", [{ orgId: org.id }]);
    expect((await call("GET", `${P}/${org.id}`, { token: agency.key })).json.status).toBe("active");
  });

  it("the suspended org cannot resume itself: not by its settings, not through the partner console", async () => {
    const { org, key } = await activeChild();
    expect((await suspend(org.id)).status).toBe(200);
    expectProblem(
      await call("PATCH", "/admin/organization", { token: key, body: { status: "active" } }),
      400,
      "validation_failed",
    );
    expectProblem(
      await as(agency.owner, org.id)("PATCH", "/admin/organization", { status: "active" }),
      400,
      "validation_failed",
    );
    expectProblem(await resume(org.id, key), 403, "forbidden");
    expect((await call("GET", "/admin/organization", { token: key })).json.status).toBe("suspended");
  });
});
