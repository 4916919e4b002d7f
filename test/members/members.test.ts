import { assert, describe, expect, it } from "vitest";
import { addMember, call, createKey, createPat, createUser, db, expectProblem } from "../harness";
import { users } from "../../src/db/schema";
import { eq } from "drizzle-orm";
import { as, rolesInDb, team } from "./fixtures";

describe("GET /admin/members", () => {
  it("lists members with roles and join date, oldest first", async () => {
    const t = await team();
    const res = await as(t.member, t.org.id)("GET", "/admin/members");
    expect(res.status).toBe(200);
    type M = { user_id: string; joined_at: string; roles: string[]; is_owner: boolean; email: string };
    const data: M[] = res.json.data;
    expect(data.map((m) => m.user_id).sort()).toEqual([t.owner.id, t.admin.id, t.member.id, t.viewer.id].sort());
    const key = (m: M) => `${m.joined_at}|${m.user_id}`;
    expect(data.map(key)).toEqual(data.map(key).sort());
    const byId = new Map(data.map((m) => [m.user_id, m]));
    expect(byId.get(t.owner.id)).toMatchObject({ email: t.owner.email, roles: ["owner"], is_owner: true });
    expect(byId.get(t.admin.id)).toMatchObject({ roles: ["admin"], is_owner: false });
    expect(byId.get(t.viewer.id)).toMatchObject({ roles: ["viewer"], is_owner: false });
    assert(data[0], "the list is not empty");
    expect(Date.parse(data[0].joined_at)).not.toBeNaN();
    expect(res.json.next_cursor).toBeNull();
  });

  it("paginates with a cursor and never drops or repeats a member", async () => {
    const t = await team();
    for (let i = 0; i < 5; i++) await addMember(t.org, await createUser(), ["member"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await as(t.viewer, t.org.id)("GET", `/admin/members?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.json.data.length).toBeLessThanOrEqual(3);
      seen.push(...res.json.data.map((m: { user_id: string }) => m.user_id));
      cursor = res.json.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
  });

  it("a limit above 100 is refused, not silently capped", async () => {
    const t = await team();
    expectProblem(await as(t.owner, t.org.id)("GET", "/admin/members?limit=101"), 400, "validation_failed");
  });

  it("viewers can list members", async () => {
    const t = await team();
    expect((await as(t.viewer, t.org.id)("GET", "/admin/members")).status).toBe(200);
  });
});

describe("PUT /admin/members/{user_id}/roles", () => {
  it("applies only valid role ids, drops unknown ones and answers with what was applied", async () => {
    const t = await team();
    const res = await as(t.admin, t.org.id)("PUT", `/admin/members/${t.viewer.id}/roles`, {
      roles: ["viewer", "superuser", "member", "x"],
    });
    expect(res.status).toBe(200);
    expect(res.json.roles).toEqual(["member", "viewer"]);
    expect(await rolesInDb(t.org.id, t.viewer.id)).toEqual(["member", "viewer"]);
  });

  it("a list of only unknown roles is refused and changes nothing", async () => {
    const t = await team();
    expectProblem(
      await as(t.owner, t.org.id)("PUT", `/admin/members/${t.member.id}/roles`, { roles: ["superuser"] }),
      400,
      "validation_failed",
    );
    expect(await rolesInDb(t.org.id, t.member.id)).toEqual(["member"]);
  });

  it("owner cannot be granted by a role change", async () => {
    const t = await team();
    expectProblem(
      await as(t.owner, t.org.id)("PUT", `/admin/members/${t.admin.id}/roles`, { roles: ["owner"] }),
      403,
      "owner_immutable",
    );
    expect(await rolesInDb(t.org.id, t.admin.id)).toEqual(["admin"]);
  });

  it("an admin cannot demote the owner", async () => {
    const t = await team();
    expectProblem(
      await as(t.admin, t.org.id)("PUT", `/admin/members/${t.owner.id}/roles`, { roles: ["member"] }),
      403,
      "owner_immutable",
    );
    expect(await rolesInDb(t.org.id, t.owner.id)).toEqual(["owner"]);
  });

  it("the owner cannot demote themselves either (ownership only moves by transfer)", async () => {
    const t = await team();
    expectProblem(
      await as(t.owner, t.org.id)("PUT", `/admin/members/${t.owner.id}/roles`, { roles: ["admin"] }),
      403,
      "owner_immutable",
    );
  });

  it("members and viewers cannot change roles", async () => {
    const t = await team();
    expectProblem(
      await as(t.member, t.org.id)("PUT", `/admin/members/${t.viewer.id}/roles`, { roles: ["admin"] }),
      403,
      "insufficient_scope",
    );
    expectProblem(
      await as(t.viewer, t.org.id)("PUT", `/admin/members/${t.member.id}/roles`, { roles: ["admin"] }),
      403,
      "insufficient_scope",
    );
    expect(await rolesInDb(t.org.id, t.viewer.id)).toEqual(["viewer"]);
  });

  it("an unknown user is a 404", async () => {
    const t = await team();
    const stranger = await createUser();
    expectProblem(
      await as(t.owner, t.org.id)("PUT", `/admin/members/${stranger.id}/roles`, { roles: ["member"] }),
      404,
      "not_found",
    );
  });

  it("a demotion applies to the member's PAT on the very next request", async () => {
    const t = await team();
    const pat = await createPat(t.admin);
    expect((await call("GET", "/admin/organization-pats", { token: pat, org: t.org.id })).status).toBe(200);
    expect(
      (await as(t.owner, t.org.id)("PUT", `/admin/members/${t.admin.id}/roles`, { roles: ["member"] })).status,
    ).toBe(200);
    expectProblem(
      await call("GET", "/admin/organization-pats", { token: pat, org: t.org.id }),
      403,
      "insufficient_scope",
    );
  });

  it("two concurrent role changes of one member never interleave: the final roles are one of the requests", async () => {
    const t = await team();
    const results = await Promise.all([
      as(t.owner, t.org.id)("PUT", `/admin/members/${t.member.id}/roles`, { roles: ["admin"] }),
      as(t.admin, t.org.id)("PUT", `/admin/members/${t.member.id}/roles`, { roles: ["viewer"] }),
    ]);
    for (const r of results) expect([200, 409]).toContain(r.status);
    const final = await rolesInDb(t.org.id, t.member.id);
    const applied = results.filter((r) => r.status === 200).map((r) => r.json.roles);
    expect(applied).toContainEqual(final);
  });
});

describe("DELETE /admin/members/{user_id}", () => {
  it("an admin removes a member; the member's session and PAT get 403 on the very next request; the account stays", async () => {
    const t = await team();
    const pat = await createPat(t.member);
    expect((await call("GET", "/admin/organization", { token: pat, org: t.org.id })).status).toBe(200);
    expect((await as(t.member, t.org.id)("GET", "/admin/organization")).status).toBe(200);

    expect((await as(t.admin, t.org.id)("DELETE", `/admin/members/${t.member.id}`)).status).toBe(204);

    expectProblem(await call("GET", "/admin/organization", { token: pat, org: t.org.id }), 403, "not_a_member");
    expectProblem(await as(t.member, t.org.id)("GET", "/admin/organization"), 403, "not_a_member");
    expect(await rolesInDb(t.org.id, t.member.id)).toBeNull();
    expect(await db().select().from(users).where(eq(users.id, t.member.id))).toHaveLength(1);
    expect((await call("GET", "/admin/me", { token: t.member.session })).status).toBe(200);
  });

  it("an admin cannot remove the owner", async () => {
    const t = await team();
    expectProblem(await as(t.admin, t.org.id)("DELETE", `/admin/members/${t.owner.id}`), 403, "owner_immutable");
    expect(await rolesInDb(t.org.id, t.owner.id)).toEqual(["owner"]);
  });

  it("a member cannot remove anyone", async () => {
    const t = await team();
    expectProblem(await as(t.member, t.org.id)("DELETE", `/admin/members/${t.viewer.id}`), 403, "insufficient_scope");
    expect(await rolesInDb(t.org.id, t.viewer.id)).toEqual(["viewer"]);
  });

  it("removing a non-member is a 404", async () => {
    const t = await team();
    const stranger = await createUser();
    expectProblem(await as(t.admin, t.org.id)("DELETE", `/admin/members/${stranger.id}`), 404, "not_found");
  });

  it("/admin/members/me/scopes is not shadowed by the member routes", async () => {
    const t = await team();
    const res = await as(t.viewer, t.org.id)("GET", "/admin/members/me/scopes");
    expect(res.status).toBe(200);
    expect(res.json.scopes).toContain("members:read");
  });
});

describe("POST /admin/members/me/leave", () => {
  it("a member leaves and loses access on the next request", async () => {
    const t = await team();
    expect((await as(t.member, t.org.id)("POST", "/admin/members/me/leave")).status).toBe(204);
    expect(await rolesInDb(t.org.id, t.member.id)).toBeNull();
    expectProblem(await as(t.member, t.org.id)("GET", "/admin/members"), 403, "not_a_member");
  });

  it("an admin can leave", async () => {
    const t = await team();
    expect((await as(t.admin, t.org.id)("POST", "/admin/members/me/leave")).status).toBe(204);
  });

  it("the owner cannot leave (transfer first)", async () => {
    const t = await team();
    const res = await as(t.owner, t.org.id)("POST", "/admin/members/me/leave");
    expectProblem(res, 403, "owner_immutable");
    expect(res.json.detail).toMatch(/transfer/i);
    expect(await rolesInDb(t.org.id, t.owner.id)).toEqual(["owner"]);
  });

  it("an org API key cannot leave", async () => {
    const t = await team();
    const key = await createKey(t.org, { createdBy: t.owner.id });
    expectProblem(await call("POST", "/admin/members/me/leave", { token: key.token }), 403, "forbidden");
  });
});
