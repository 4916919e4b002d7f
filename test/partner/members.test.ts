import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, createUser, expectProblem, uniq, type TestUser } from "../harness";
import { ensureMember, partnerTree, type Tree } from "./fixtures";

const P = "/admin/partner-console/organizations";
let t: Tree;
let m: TestUser;
beforeAll(async () => {
  t = await partnerTree();
  m = await createUser();
  await ensureMember(t.a1x.id, m, ["member"]);
});

type Member = { user_id: string; roles: string[] };

describe("a child's members, administered from the parent (not a member of the child)", () => {
  it("lists the members of a grandchild, the creator as admin", async () => {
    const res = await call("GET", `${P}/${t.a1x.id}/members`, { token: t.agency.key });
    expect(res.status).toBe(200);
    const byId = new Map(res.json.data.map((r: Member) => [r.user_id, r.roles]));
    expect(byId.get(t.agency.owner.id)).toEqual(["admin"]);
    expect(byId.get(m.id)).toEqual(["member"]);
  });

  it("sets roles, dropping unknown role ids", async () => {
    const res = await call("PUT", `${P}/${t.a1x.id}/members/${m.id}/roles`, {
      token: t.agency.key,
      body: { roles: ["viewer", "superhero", "root"] },
    });
    expect(res.status).toBe(200);
    expect(res.json.roles).toEqual(["viewer"]);
    const list = await call("GET", `${P}/${t.a1x.id}/members`, { token: t.agency.key });
    expect(list.json.data.find((r: Member) => r.user_id === m.id).roles).toEqual(["viewer"]);
  });

  it("refuses a role list with no valid role (400)", async () => {
    expectProblem(
      await call("PUT", `${P}/${t.a1x.id}/members/${m.id}/roles`, {
        token: t.agency.key,
        body: { roles: ["superhero"] },
      }),
      400,
      "validation_failed",
    );
  });

  it("records the change in the child's audit log", async () => {
    const rows = await env.DB.prepare("SELECT action FROM audit_log WHERE org_id = ? AND target_id = ?")
      .bind(t.a1x.id, m.id)
      .all<{ action: string }>();
    expect(rows.results.map((r) => r.action)).toContain("member.roles_changed");
  });

  it("removes a member of the child; the user account stays", async () => {
    const gone = await createUser();
    await ensureMember(t.a1x.id, gone, ["member"]);
    expect((await call("DELETE", `${P}/${t.a1x.id}/members/${gone.id}`, { token: t.agency.key })).status).toBe(204);
    const list = await call("GET", `${P}/${t.a1x.id}/members`, { token: t.agency.key });
    expect(list.json.data.map((r: Member) => r.user_id)).not.toContain(gone.id);
    expect(await env.DB.prepare("SELECT id FROM users WHERE id = ?").bind(gone.id).first()).not.toBeNull();
  });

  it("a user who is not a member of the child is a 404", async () => {
    const outsider = await createUser();
    expectProblem(
      await call("DELETE", `${P}/${t.a1x.id}/members/${outsider.id}`, { token: t.agency.key }),
      404,
      "not_found",
    );
  });

  it("cannot touch a member of a sibling subtree through its own subtree's id", async () => {
    const sib = await createUser();
    await ensureMember(t.b1.id, sib, ["member"]);
    expectProblem(await call("DELETE", `${P}/${t.a1.id}/members/${sib.id}`, { token: t.childAKey }), 404, "not_found");
    expectProblem(await call("DELETE", `${P}/${t.b1.id}/members/${sib.id}`, { token: t.childAKey }), 404, "not_found");
  });
});

describe("a child's invitations, administered from the parent", () => {
  it("invites by e-mail and lists the pending invitation", async () => {
    const email = `${uniq("inv")}@example.com`;
    const res = await call("POST", `${P}/${t.a2.id}/invitations`, {
      token: t.agency.key,
      body: { email, role: "member" },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ email, role: "member" });
    const list = await call("GET", `${P}/${t.a2.id}/invitations`, { token: t.agency.key });
    expect(list.json.data.map((i: { email: string }) => i.email)).toContain(email);
    const elsewhere = await call("GET", `${P}/${t.a1.id}/invitations`, { token: t.agency.key });
    expect(elsewhere.json.data.map((i: { email: string }) => i.email)).not.toContain(email);
  });

  it("refuses an invalid body (400)", async () => {
    expectProblem(
      await call("POST", `${P}/${t.a2.id}/invitations`, {
        token: t.agency.key,
        body: { email: "nope", role: "member" },
      }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", `${P}/${t.a2.id}/invitations`, {
        token: t.agency.key,
        body: { email: "a@b.co", role: "owner" },
      }),
      400,
      "validation_failed",
    );
  });
});
