import { assert, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { invitations, users } from "../../src/db/schema";
import { call, createKey, createUser, db, expectProblem, type TestUser } from "../harness";
import { as, mailsTo, rolesInDb, team } from "../members/fixtures";

type Team = Awaited<ReturnType<typeof team>>;

async function invite(t: Team, invitee: TestUser, role = "member") {
  const res = await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: invitee.email, role });
  expect(res.status).toBe(201);
  return res.json.id as string;
}

const accept = (u: TestUser, id: string, body?: unknown) =>
  call("POST", `/admin/account/invitations/${id}/accept`, { token: u.session, body });
const decline = (u: TestUser, id: string) =>
  call("POST", `/admin/account/invitations/${id}/decline`, { token: u.session });
const statusIn = async (id: string) => {
  const [row] = await db().select().from(invitations).where(eq(invitations.id, id));
  assert(row, `invitation ${id} is stored`);
  return row.status;
};

describe("the invitee's side", () => {
  it("GET /admin/account/invitations shows pending invitations for your e-mail only, with the org", async () => {
    const t = await team();
    const invitee = await createUser();
    const other = await createUser();
    const id = await invite(t, invitee);
    const mine = await call("GET", "/admin/account/invitations", { token: invitee.session });
    expect(mine.status).toBe(200);
    expect(mine.json.data).toEqual([
      expect.objectContaining({
        id,
        role: "member",
        organization: { id: t.org.id, name: t.org.name, slug: t.org.slug },
      }),
    ]);
    expect((await call("GET", "/admin/account/invitations", { token: other.session })).json.data).toEqual([]);
  });

  it("accepting makes you a member with the invited role, effective on your next request", async () => {
    const t = await team();
    const invitee = await createUser();
    const id = await invite(t, invitee, "admin");
    // A refused request first, so "not a member" is cached in this isolate.
    expectProblem(await as(invitee, t.org.id)("GET", "/admin/organization"), 403, "not_a_member");
    const res = await accept(invitee, id);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, status: "accepted", organization: { id: t.org.id } });
    expect(await rolesInDb(t.org.id, invitee.id)).toEqual(["admin"]);
    expect((await as(invitee, t.org.id)("GET", "/admin/invitations")).status).toBe(200);
    expect((await call("GET", "/admin/account/invitations", { token: invitee.session })).json.data).toEqual([]);
  });

  it("another signed-in user cannot accept it (404) and it stays pending", async () => {
    const t = await team();
    const invitee = await createUser();
    const thief = await createUser();
    const id = await invite(t, invitee);
    expectProblem(await accept(thief, id), 404, "not_found");
    expectProblem(await decline(thief, id), 404, "not_found");
    expect(await statusIn(id)).toBe("pending");
    expect(await rolesInDb(t.org.id, thief.id)).toBeNull();
  });

  it("an unverified e-mail cannot accept", async () => {
    const t = await team();
    const invitee = await createUser();
    const id = await invite(t, invitee);
    await db().update(users).set({ emailVerifiedAt: null }).where(eq(users.id, invitee.id));
    expectProblem(await accept(invitee, id), 404, "not_found");
    expect(await rolesInDb(t.org.id, invitee.id)).toBeNull();
  });

  it("the link's token is checked when given: a wrong one is refused, the mailed one works", async () => {
    const t = await team();
    const invitee = await createUser();
    const id = await invite(t, invitee);
    const [mail] = await mailsTo(invitee.email, 1);
    const token = /token=([0-9a-f]+)/.exec(mail?.body ?? "")?.[1];
    assert(token, "the mail carries the accept link's token");
    expectProblem(await accept(invitee, id, { token: "0".repeat(40) }), 404, "not_found");
    expect((await accept(invitee, id, { token })).status).toBe(200);
  });

  it("an expired invitation cannot be accepted (410)", async () => {
    const t = await team();
    const invitee = await createUser();
    const id = await invite(t, invitee);
    await db()
      .update(invitations)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(invitations.id, id));
    expectProblem(await accept(invitee, id), 410, "invitation_expired");
    expect(await rolesInDb(t.org.id, invitee.id)).toBeNull();
  });

  it("a revoked invitation cannot be accepted", async () => {
    const t = await team();
    const invitee = await createUser();
    const id = await invite(t, invitee);
    await as(t.admin, t.org.id)("DELETE", `/admin/invitations/${id}`);
    expectProblem(await accept(invitee, id), 409, "invitation_not_pending");
    expect(await rolesInDb(t.org.id, invitee.id)).toBeNull();
  });

  it("declining closes the invitation; it can be neither accepted nor declined again", async () => {
    const t = await team();
    const invitee = await createUser();
    const id = await invite(t, invitee);
    const res = await decline(invitee, id);
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("declined");
    expectProblem(await accept(invitee, id), 409, "invitation_not_pending");
    expectProblem(await decline(invitee, id), 409, "invitation_not_pending");
    expect(await rolesInDb(t.org.id, invitee.id)).toBeNull();
  });

  it("an invitation is accepted once", async () => {
    const t = await team();
    const invitee = await createUser();
    const id = await invite(t, invitee);
    expect((await accept(invitee, id)).status).toBe(200);
    expectProblem(await accept(invitee, id), 409, "invitation_not_pending");
  });

  it("a member who left and is invited again regains access", async () => {
    const t = await team();
    expect((await as(t.member, t.org.id)("POST", "/admin/members/me/leave")).status).toBe(204);
    expectProblem(await as(t.member, t.org.id)("GET", "/admin/members"), 403, "not_a_member");
    const id = await invite(t, t.member, "viewer");
    expect((await accept(t.member, id)).status).toBe(200);
    expect((await as(t.member, t.org.id)("GET", "/admin/members")).status).toBe(200);
    expect(await rolesInDb(t.org.id, t.member.id)).toEqual(["viewer"]);
  });

  it("an org API key has no account: it cannot list or accept invitations", async () => {
    const t = await team();
    const key = await createKey(t.org, { createdBy: t.owner.id });
    expectProblem(await call("GET", "/admin/account/invitations", { token: key.token }), 403, "forbidden");
  });
});

describe("accept and revoke at once", () => {
  it("exactly one wins, and the membership exists exactly when the invitation is accepted", async () => {
    const t = await team();
    for (let round = 0; round < 4; round++) {
      const invitee = await createUser();
      const id = await invite(t, invitee);
      const [acc, rev] = await Promise.all([
        accept(invitee, id),
        as(t.admin, t.org.id)("DELETE", `/admin/invitations/${id}`),
      ]);
      const status = await statusIn(id);
      const member = await rolesInDb(t.org.id, invitee.id);
      if (status === "accepted") {
        expect(acc.status).toBe(200);
        expect(rev.status).toBe(409);
        expect(member).toEqual(["member"]);
      } else {
        expect(status).toBe("revoked");
        expect(rev.status).toBe(204);
        expect(acc.status).toBe(409);
        expect(member).toBeNull();
      }
    }
  });

  it("the pending invitations of one e-mail and org are unique in the database", async () => {
    const t = await team();
    const invitee = await createUser();
    const id = await invite(t, invitee);
    const [row] = await db()
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, id)));
    assert(row, "the invitation is stored");
    const dup = db()
      .insert(invitations)
      .values({ ...row, id: `${id}x` });
    expect(
      await dup.then(
        () => "written",
        (e: Error) => String(e.cause ?? e),
      ),
    ).toMatch(/UNIQUE/);
  });
});
