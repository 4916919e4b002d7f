import { describe, expect, it } from "vitest";
import { call, createKey, createPat, createUser, db, expectProblem, uniq } from "../harness";
import { as, rolesInDb, team } from "../members/fixtures";
import { removeMember, setRoles } from "../../src/members/service";
import type { Actor } from "../../src/auth/principal";

type Team = Awaited<ReturnType<typeof team>>;
type Entry = {
  action: string;
  actor: { user_id: string | null; credential_kind: string; credential_id: string | null };
  target: { type: string; id: string | null };
  before: unknown;
  after: unknown;
  request_id: string | null;
};

async function log(t: Team, query = ""): Promise<Entry[]> {
  const res = await as(t.owner, t.org.id)("GET", `/admin/audit-log${query}`);
  expect(res.status).toBe(200);
  return res.json.data;
}

describe("the audit log records every change in the same batch", () => {
  it("role change: actor, credential kind, target, before/after and the request id", async () => {
    const t = await team();
    const requestId = uniq("req-");
    const res = await call("PUT", `/admin/members/${t.member.id}/roles`, {
      token: t.admin.session,
      org: t.org.id,
      body: { roles: ["viewer"] },
      headers: { "x-request-id": requestId },
    });
    expect(res.status).toBe(200);
    const [entry] = await log(t, "?action=member.roles_changed");
    expect(entry).toMatchObject({
      action: "member.roles_changed",
      actor: { user_id: t.admin.id, credential_kind: "session", credential_id: t.admin.sessionId },
      target: { type: "member", id: t.member.id },
      before: { roles: ["member"] },
      after: { roles: ["viewer"] },
      request_id: requestId,
    });
  });

  it("membership, ownership, invitation, key and settings changes are all recorded", async () => {
    const t = await team();
    const adminPat = await createPat(t.admin);
    const invitee = await createUser();
    const email = `${uniq("a")}@example.com`;
    const inv = (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email, role: "member" })).json;
    await as(t.admin, t.org.id)("POST", "/admin/invitations", { email, role: "viewer" });
    await as(t.admin, t.org.id)("POST", `/admin/invitations/${inv.id}/resend`);
    await as(t.admin, t.org.id)("DELETE", `/admin/invitations/${inv.id}`);
    const inv2 = (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: invitee.email, role: "member" }))
      .json;
    await call("POST", `/admin/account/invitations/${inv2.id}/accept`, { token: invitee.session });
    const inv3 = (
      await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: `${uniq("b")}@example.com`, role: "member" })
    ).json;
    await call("DELETE", `/admin/members/${t.viewer.id}`, { token: adminPat, org: t.org.id });
    await as(t.member, t.org.id)("POST", "/admin/members/me/leave");
    const key = await call("POST", "/admin/organization-pats", {
      token: t.owner.session,
      org: t.org.id,
      body: { name: "ci" },
    });
    await call("DELETE", `/admin/organization-pats/${key.json.key_id}`, { token: key.json.token });
    await as(t.owner, t.org.id)("PATCH", "/admin/organization", { name: "Renamed" });
    await as(t.owner, t.org.id)("POST", "/admin/organization/transfer-ownership", { user_id: t.admin.id });

    const entries = await log(t, "?limit=100");
    const actions = entries.map((e) => e.action).reverse();
    expect(actions).toEqual([
      "invitation.created",
      "invitation.resent",
      "invitation.resent",
      "invitation.revoked",
      "invitation.created",
      "invitation.accepted",
      "invitation.created",
      "member.removed",
      "member.left",
      "api_key.created",
      "api_key.revoked",
      "organization.updated",
      "organization.ownership_transferred",
    ]);
    const by = (a: string) => entries.filter((e) => e.action === a);
    expect(by("invitation.accepted")[0]).toMatchObject({ actor: { user_id: invitee.id }, target: { id: inv2.id } });
    expect(by("member.removed")[0]).toMatchObject({
      actor: { user_id: t.admin.id, credential_kind: "pat" },
      target: { id: t.viewer.id },
    });
    expect(by("api_key.revoked")[0]).toMatchObject({
      actor: { user_id: null, credential_kind: "api_key", credential_id: key.json.key_id },
    });
    expect(by("organization.updated")[0]).toMatchObject({ before: { name: t.org.name }, after: { name: "Renamed" } });
    expect(by("organization.ownership_transferred")[0]).toMatchObject({
      before: { owner: t.owner.id },
      after: { owner: t.admin.id },
    });
    expect(inv3.id).toBeTruthy();
  });

  it("a declined invitation is recorded", async () => {
    const t = await team();
    const invitee = await createUser();
    const inv = (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: invitee.email, role: "member" }))
      .json;
    await call("POST", `/admin/account/invitations/${inv.id}/decline`, { token: invitee.session });
    expect((await log(t, "?action=invitation.declined"))[0]).toMatchObject({
      actor: { user_id: invitee.id },
      target: { id: inv.id },
    });
  });

  it("change and entry are one batch: when the entry cannot be written, the change is not either", async () => {
    const t = await team();
    // An actor the audit table refuses (credential_kind CHECK) makes the audit insert fail.
    const broken = { kind: "robot", userId: null, credentialId: null, requestId: null } as unknown as Actor;
    await expect(setRoles(db(), t.org.id, t.member.id, ["admin"], broken)).rejects.toThrow();
    expect(await rolesInDb(t.org.id, t.member.id)).toEqual(["member"]);
    await expect(removeMember(db(), t.org.id, t.viewer.id, broken)).rejects.toThrow();
    expect(await rolesInDb(t.org.id, t.viewer.id)).toEqual(["viewer"]);
  });

  it("a refused change writes no entry", async () => {
    const t = await team();
    const before = (await log(t)).length;
    await as(t.admin, t.org.id)("DELETE", `/admin/members/${t.owner.id}`);
    await as(t.admin, t.org.id)("PUT", `/admin/members/${t.owner.id}/roles`, { roles: ["member"] });
    await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: t.member.email, role: "member" });
    await as(t.owner, t.org.id)("DELETE", "/admin/organization-pats/key_doesnotexist");
    expect(await log(t)).toHaveLength(before);
  });
});

describe("GET /admin/audit-log", () => {
  it("filters by action, actor, target and time, and pages newest first", async () => {
    const t = await team();
    const start = new Date().toISOString();
    await as(t.admin, t.org.id)("PUT", `/admin/members/${t.member.id}/roles`, { roles: ["viewer"] });
    await as(t.owner, t.org.id)("PUT", `/admin/members/${t.viewer.id}/roles`, { roles: ["member"] });
    await as(t.owner, t.org.id)("PUT", `/admin/members/${t.member.id}/roles`, { roles: ["admin"] });

    expect((await log(t, `?actor_id=${t.admin.id}`)).map((e) => e.target.id)).toEqual([t.member.id]);
    expect((await log(t, `?target_id=${t.member.id}`)).map((e) => e.after)).toEqual([
      { roles: ["admin"] },
      { roles: ["viewer"] },
    ]);
    expect(await log(t, "?target_type=invitation")).toEqual([]);
    expect(await log(t, `?since=${encodeURIComponent(start)}`)).toHaveLength(3);
    expect(await log(t, `?until=${encodeURIComponent(start)}`)).toEqual([]);

    const first = await as(t.owner, t.org.id)("GET", "/admin/audit-log?limit=2");
    expect(first.json.data).toHaveLength(2);
    const second = await as(t.owner, t.org.id)("GET", `/admin/audit-log?limit=2&cursor=${first.json.next_cursor}`);
    expect(second.json.data).toHaveLength(1);
    expect(second.json.next_cursor).toBeNull();
    expect(second.json.data[0].after).toEqual({ roles: ["viewer"] });
  });

  it("refuses bad filters", async () => {
    const t = await team();
    expectProblem(await as(t.owner, t.org.id)("GET", "/admin/audit-log?action=nope"), 400, "validation_failed");
    const s = "2026-01-02T00:00:00Z";
    expectProblem(
      await as(t.owner, t.org.id)("GET", `/admin/audit-log?since=${s}&until=2026-01-01T00:00:00Z`),
      400,
      "validation_failed",
    );
  });

  it("is for owners and admins (audit_log:read): members and viewers get 403", async () => {
    const t = await team();
    expect((await as(t.admin, t.org.id)("GET", "/admin/audit-log")).status).toBe(200);
    for (const u of [t.member, t.viewer])
      expectProblem(await as(u, t.org.id)("GET", "/admin/audit-log"), 403, "insufficient_scope");
    const key = await createKey(t.org, { createdBy: t.owner.id, scopes: ["members:read"] });
    expectProblem(await call("GET", "/admin/audit-log", { token: key.token }), 403, "insufficient_scope");
  });
});
