import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { personalTokens } from "../../src/db/schema";
import { addMember, call, createOrg, createUser, db, expectProblem, tenant } from "../harness";

describe("user PATs (/admin/account/tokens)", () => {
  it("creates a pat_ shown once, stores only its hash, lists it without the secret", async () => {
    const t = await tenant();
    const res = await call("POST", "/admin/account/tokens", {
      token: t.owner.session,
      body: { name: "ci", expires_at: null },
    });
    expect(res.status).toBe(201);
    expect(res.json.token).toMatch(/^pat_[0-9A-Za-z]{36}$/);
    const [row] = await db().select().from(personalTokens).where(eq(personalTokens.id, res.json.id));
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(res.json.token);
    const list = await call("GET", "/admin/account/tokens", { token: t.owner.session });
    const listed = list.json.data.find((x: { id: string }) => x.id === res.json.id);
    expect(listed).toMatchObject({ name: "ci", expires_at: null });
    expect(list.text).not.toContain(res.json.token);
    // The new token works.
    expect((await call("GET", "/admin/organization", { token: res.json.token, org: t.org.id })).status).toBe(200);
  });

  it("name is required and expires_at must be in the future", async () => {
    const t = await tenant();
    const a = await call("POST", "/admin/account/tokens", { token: t.owner.session, body: { name: "" } });
    expectProblem(a, 400, "validation_failed");
    expect(a.json.errors[0].field).toBe("name");
    expectProblem(
      await call("POST", "/admin/account/tokens", {
        token: t.owner.session,
        body: { name: "x", expires_at: Date.now() - 1000 },
      }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", "/admin/account/tokens", {
        token: t.owner.session,
        body: { name: "x", expires_in_days: 366 },
      }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", "/admin/account/tokens", {
        token: t.owner.session,
        body: { name: "x", scopes: ["nope:nope"] },
      }),
      400,
      "validation_failed",
    );
  });

  it("expires_in_days presets set an expiry", async () => {
    const t = await tenant();
    const res = await call("POST", "/admin/account/tokens", {
      token: t.owner.session,
      body: { name: "x", expires_in_days: 30 },
    });
    expect(res.status).toBe(201);
    expect(Math.abs(res.json.expires_at - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
  });

  it("a PAT cannot hold scopes its creator has in no org", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const member = await createUser();
    await addMember(org, member, ["member"]);
    const res = await call("POST", "/admin/account/tokens", {
      token: member.session,
      body: { name: "x", scopes: ["members:manage"] },
    });
    expectProblem(res, 403, "insufficient_scope");
  });

  it("revocation is effective on the next request; another user's token is a 404", async () => {
    const t = await tenant();
    const other = await tenant();
    const created = await call("POST", "/admin/account/tokens", { token: t.owner.session, body: { name: "x" } });
    expectProblem(
      await call("DELETE", `/admin/account/tokens/${created.json.id}`, { token: other.owner.session }),
      404,
      "not_found",
    );
    expect((await call("GET", "/admin/organization", { token: created.json.token, org: t.org.id })).status).toBe(200);
    expect((await call("DELETE", `/admin/account/tokens/${created.json.id}`, { token: t.owner.session })).status).toBe(
      204,
    );
    expectProblem(
      await call("GET", "/admin/organization", { token: created.json.token, org: t.org.id }),
      401,
      "credential_revoked",
    );
    const list = await call("GET", "/admin/account/tokens", { token: t.owner.session });
    expect(list.json.data.map((x: { id: string }) => x.id)).not.toContain(created.json.id);
  });

  it("lists are paginated with a cursor", async () => {
    const t = await tenant();
    for (let i = 0; i < 3; i++)
      await call("POST", "/admin/account/tokens", { token: t.owner.session, body: { name: `p${i}` } });
    const first = await call("GET", "/admin/account/tokens?limit=2", { token: t.owner.session });
    expect(first.json.data).toHaveLength(2);
    expect(first.json.next_cursor).toBeTruthy();
    const second = await call("GET", `/admin/account/tokens?limit=2&cursor=${first.json.next_cursor}`, {
      token: t.owner.session,
    });
    const ids = [...first.json.data, ...second.json.data].map((x: { id: string }) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(4); // 3 made here + the harness's own PAT
    expectProblem(
      await call("GET", "/admin/account/tokens?limit=0", { token: t.owner.session }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("GET", "/admin/account/tokens?limit=101", { token: t.owner.session }),
      400,
      "validation_failed",
    );
  });
});
