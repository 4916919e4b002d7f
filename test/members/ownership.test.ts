import { assert, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { memberships, organizations } from "../../src/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import { addMember, call, createKey, createOrg, createPat, createUser, db, expectProblem, uniq } from "../harness";
import { as, ownersOf, rolesInDb, team } from "./fixtures";
import { transferPlan } from "../../src/members/ownership";
import { getMember } from "../../src/members/service";
import { isStaleWrite } from "../../src/db/guard";
import { asBatch } from "../../src/db/batch";

const TRANSFER = "/admin/organization/transfer-ownership";

describe("exactly one owner", () => {
  it("the database refuses a second owner even when code does not check", async () => {
    const t = await team();
    const other = await createUser();
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => "written",
        (e: Error) => String(e.cause ?? e),
      );
    expect(
      await failure(
        db().insert(memberships).values({ orgId: t.org.id, userId: other.id, roles: "owner", createdAt: Date.now() }),
      ),
    ).toMatch(/UNIQUE/);
    expect(
      await failure(
        db().update(memberships).set({ roles: "owner,admin" }).where(eqMember(t.org.id, t.admin.id)).then(),
      ),
    ).toMatch(/UNIQUE/);
    expect(await ownersOf(t.org.id)).toEqual([t.owner.id]);
  });

  it("the database refuses an org with no owner, or two kinds of owner, whatever statement tries", async () => {
    const t = await team();
    const child = await createOrg(t.owner, { parentId: t.org.id });
    await addMember(child, t.member, ["member"]);
    const other = await team();
    const now = Date.now();
    const refusal = (sql: string, ...args: unknown[]) =>
      env.DB.prepare(sql)
        .bind(...args)
        .run()
        .then(
          () => "written",
          (e: Error) => String(e.cause ?? e),
        );
    const newOrg = (owner: string | null, ownerOrg: string | null, parent: string | null) => {
      const slug = uniq("x").toLowerCase();
      return refusal(
        `INSERT INTO organizations (id, slug, name, parent_id, owner_user_id, owner_org_id, created_at, updated_at)
         VALUES (?1, ?2, 'x', ?3, ?4, ?5, ?6, ?6)`,
        `org_${slug}`,
        slug,
        parent,
        owner,
        ownerOrg,
        now,
      );
    };
    // Neither, both, or an owning org that is not the parent; the checks name what they check.
    const oneOwner = /CHECK constraint failed: \(owner_user_id IS NULL\) <> \(owner_org_id IS NULL\)/;
    expect(await newOrg(null, null, null)).toMatch(oneOwner);
    expect(await newOrg(null, null, t.org.id)).toMatch(oneOwner);
    expect(await newOrg(t.owner.id, t.org.id, t.org.id)).toMatch(oneOwner);
    expect(await newOrg(null, other.org.id, t.org.id)).toMatch(
      /CHECK constraint failed: owner_org_id IS NULL OR owner_org_id = parent_id/,
    );
    // The same row with one owner is accepted: the refusals above are about the owner.
    expect(await newOrg(null, t.org.id, t.org.id)).toBe("written");
    // An org owned by its parent gains no owner member: not by a role change, not by an insert.
    expect(
      await refusal(
        "UPDATE memberships SET roles = 'owner,admin' WHERE org_id = ? AND user_id = ?",
        child.id,
        t.owner.id,
      ),
    ).toMatch(/owner_mismatch/);
    expect(
      await refusal(
        "INSERT INTO memberships (org_id, user_id, roles, created_at) VALUES (?, ?, 'owner', 1)",
        child.id,
        t.admin.id,
      ),
    ).toMatch(/owner_mismatch/);
    // Its owning organization cannot just be dropped (that would leave no owner).
    expect(await refusal("UPDATE organizations SET owner_org_id = NULL WHERE id = ?", child.id)).toMatch(
      /CHECK constraint failed/,
    );
    // A user-owned org keeps its owner: not demoted, not removed, not its user deleted; the
    // owner moves only to a member.
    expect(
      await refusal("UPDATE memberships SET roles = 'admin' WHERE org_id = ? AND user_id = ?", t.org.id, t.owner.id),
    ).toMatch(/owner_mismatch/);
    expect(await refusal("DELETE FROM memberships WHERE org_id = ? AND user_id = ?", t.org.id, t.owner.id)).toMatch(
      /FOREIGN KEY/,
    );
    expect(await refusal("DELETE FROM memberships WHERE org_id = ?", t.org.id)).toMatch(/FOREIGN KEY/);
    expect(await refusal("DELETE FROM users WHERE id = ?", t.owner.id)).toMatch(/FOREIGN KEY/);
    expect(await refusal("UPDATE organizations SET owner_user_id = ? WHERE id = ?", other.owner.id, t.org.id)).toMatch(
      /owner_not_member/,
    );
    expect(await ownersOf(t.org.id)).toEqual([t.owner.id]);
    expect(await ownersOf(child.id)).toEqual([]);
    const rows = await db()
      .select({ id: organizations.id, user: organizations.ownerUserId, org: organizations.ownerOrgId })
      .from(organizations)
      .where(inArray(organizations.id, [t.org.id, child.id]));
    expect(rows.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [
        { id: t.org.id, user: t.owner.id, org: null },
        { id: child.id, user: null, org: t.org.id },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it("ownership moves by one write of the org's owner; the roles follow it in the same statement", async () => {
    const t = await team();
    await db().update(organizations).set({ ownerUserId: t.viewer.id }).where(eq(organizations.id, t.org.id));
    expect(await ownersOf(t.org.id)).toEqual([t.viewer.id]);
    expect(await rolesInDb(t.org.id, t.viewer.id)).toEqual(["owner", "viewer"]);
    expect(await rolesInDb(t.org.id, t.owner.id)).toEqual(["admin"]);
  });
});

describe("POST /admin/organization/transfer-ownership", () => {
  it("makes the target the owner keeping its other roles; the previous owner becomes an admin", async () => {
    const t = await team();
    await as(t.owner, t.org.id)("PUT", `/admin/members/${t.member.id}/roles`, { roles: ["member", "viewer"] });
    const res = await as(t.owner, t.org.id)("POST", TRANSFER, { user_id: t.member.id });
    expect(res.status).toBe(200);
    expect(res.json.owner).toMatchObject({
      user_id: t.member.id,
      roles: ["owner", "member", "viewer"],
      is_owner: true,
    });
    expect(res.json.previous_owner).toMatchObject({ user_id: t.owner.id, roles: ["admin"], is_owner: false });
    expect(await ownersOf(t.org.id)).toEqual([t.member.id]);
    expect(await rolesInDb(t.org.id, t.owner.id)).toEqual(["admin"]);
    // Both sides see their new powers on the next request.
    expect((await as(t.owner, t.org.id)("POST", "/admin/members/me/leave")).status).toBe(204);
    expectProblem(await as(t.member, t.org.id)("POST", "/admin/members/me/leave"), 403, "owner_immutable");
  });

  it("an admin cannot transfer ownership", async () => {
    const t = await team();
    expectProblem(await as(t.admin, t.org.id)("POST", TRANSFER, { user_id: t.admin.id }), 403, "owner_required");
    expect(await ownersOf(t.org.id)).toEqual([t.owner.id]);
  });

  it("the target must be a member", async () => {
    const t = await team();
    const stranger = await createUser();
    expectProblem(await as(t.owner, t.org.id)("POST", TRANSFER, { user_id: stranger.id }), 404, "not_found");
    expect(await ownersOf(t.org.id)).toEqual([t.owner.id]);
  });

  it("transferring to yourself is refused", async () => {
    const t = await team();
    expectProblem(await as(t.owner, t.org.id)("POST", TRANSFER, { user_id: t.owner.id }), 422, "unprocessable");
  });

  it("an owner's PAT without the owner-only scope cannot transfer", async () => {
    const t = await team();
    const pat = await createPat(t.owner, { scopes: ["organizations:manage", "members:manage"] });
    expectProblem(
      await call("POST", TRANSFER, { token: pat, org: t.org.id, body: { user_id: t.admin.id } }),
      403,
      "insufficient_scope",
    );
  });

  it("an org API key cannot transfer ownership", async () => {
    const t = await team();
    const key = await createKey(t.org, { createdBy: t.owner.id });
    expectProblem(await call("POST", TRANSFER, { token: key.token, body: { user_id: t.admin.id } }), 403, "forbidden");
  });

  it("two transfers at once leave exactly one owner", async () => {
    const t = await team();
    const results = await Promise.all([
      as(t.owner, t.org.id)("POST", TRANSFER, { user_id: t.admin.id }),
      as(t.owner, t.org.id)("POST", TRANSFER, { user_id: t.member.id }),
    ]);
    // The loser is refused either by the guarded batch (409) or, if it started after the
    // winner committed, because its caller is no longer the owner (403).
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 || r.status === 403)).toHaveLength(1);
    const won = results.find((r) => r.status === 200);
    assert(won, "one transfer succeeded");
    const winner = won.json.owner.user_id;
    expect(await ownersOf(t.org.id)).toEqual([winner]);
    expect(await rolesInDb(t.org.id, t.owner.id)).toEqual(["admin"]);
    const loser = winner === t.admin.id ? t.member.id : t.admin.id;
    expect((await rolesInDb(t.org.id, loser))?.includes("owner")).toBe(false);
  });

  it("many concurrent transfers and removals never leave the org without an owner", async () => {
    const t = await team();
    const extra = await Promise.all([createUser(), createUser(), createUser()]);
    for (const u of extra) await addMember(t.org, u, ["member"]);
    await Promise.all([
      ...extra.map((u) => as(t.owner, t.org.id)("POST", TRANSFER, { user_id: u.id })),
      ...extra.map((u) => as(t.admin, t.org.id)("DELETE", `/admin/members/${u.id}`)),
    ]);
    expect(await ownersOf(t.org.id)).toHaveLength(1);
  });
});

function eqMember(orgId: string, userId: string) {
  return and(eq(memberships.orgId, orgId), eq(memberships.userId, userId));
}

describe("the transfer batch under a lost race (stale reads, deterministic)", () => {
  const actor = { kind: "system" as const, userId: null, credentialId: null, requestId: null };
  const run = (stmts: ReturnType<typeof transferPlan>["statements"]) =>
    db()
      .batch(asBatch(stmts))
      .then(
        () => "committed",
        (e: unknown) => (isStaleWrite(e) ? "stale" : String(e)),
      );

  it("if the target left after it was read, nothing is written: the old owner stays owner", async () => {
    const t = await team();
    const [from, to] = await Promise.all([
      getMember(db(), t.org.id, t.owner.id),
      getMember(db(), t.org.id, t.member.id),
    ]);
    assert(from && to, "both are members when read");
    await db().delete(memberships).where(eqMember(t.org.id, t.member.id));
    expect(await run(transferPlan(db(), t.org.id, from, to, actor).statements)).toBe("stale");
    expect(await ownersOf(t.org.id)).toEqual([t.owner.id]);
    expect(await rolesInDb(t.org.id, t.owner.id)).toEqual(["owner"]);
  });

  it("if the target's roles changed after they were read, nothing is written", async () => {
    const t = await team();
    const [from, to] = await Promise.all([
      getMember(db(), t.org.id, t.owner.id),
      getMember(db(), t.org.id, t.member.id),
    ]);
    assert(from && to, "both are members when read");
    await db().update(memberships).set({ roles: "viewer" }).where(eqMember(t.org.id, t.member.id));
    expect(await run(transferPlan(db(), t.org.id, from, to, actor).statements)).toBe("stale");
    expect(await ownersOf(t.org.id)).toEqual([t.owner.id]);
    expect(await rolesInDb(t.org.id, t.member.id)).toEqual(["viewer"]);
  });

  it("if ownership already moved after it was read, the second transfer writes nothing", async () => {
    const t = await team();
    const [from, admin, member] = await Promise.all([
      getMember(db(), t.org.id, t.owner.id),
      getMember(db(), t.org.id, t.admin.id),
      getMember(db(), t.org.id, t.member.id),
    ]);
    assert(from && admin && member, "all three are members when read");
    expect(await run(transferPlan(db(), t.org.id, from, admin, actor).statements)).toBe("committed");
    expect(await run(transferPlan(db(), t.org.id, from, member, actor).statements)).toBe("stale");
    expect(await ownersOf(t.org.id)).toEqual([t.admin.id]);
    expect(await rolesInDb(t.org.id, t.member.id)).toEqual(["member"]);
  });
});
