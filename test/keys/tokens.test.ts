import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { apiKeys } from "../../src/db/schema";
import { addMember, call, createUser, db, expectProblem, tenant } from "../harness";

describe("org API keys (/admin/organization-pats)", () => {
  it("creates ak_<id>.<secret>, shown once; listing returns key_id, name, expires_at, created_at, never the secret", async () => {
    const t = await tenant();
    const res = await call("POST", "/admin/organization-pats", {
      token: t.owner.session,
      org: t.org.id,
      body: { name: "server", expires_at: null },
    });
    expect(res.status).toBe(201);
    expect(res.json.token).toMatch(new RegExp(`^ak_${res.json.key_id}\\.[0-9A-Za-z]{38}$`));
    const list = await call("GET", "/admin/organization-pats", { token: t.owner.session, org: t.org.id });
    const row = list.json.data.find((k: { key_id: string }) => k.key_id === res.json.key_id);
    expect(row).toMatchObject({
      key_id: res.json.key_id,
      name: "server",
      expires_at: null,
      created_at: expect.any(String),
    });
    expect(list.text).not.toContain(res.json.token.split(".")[1]);
    const [stored] = await db().select().from(apiKeys).where(eq(apiKeys.id, res.json.key_id));
    expect(stored).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(res.json.token.split(".")[1]);
    expect((await call("GET", "/admin/organization", { token: res.json.token })).json.id).toBe(t.org.id);
  });

  it("a member (no api_keys:manage) cannot create or list keys", async () => {
    const t = await tenant();
    const m = await createUser();
    await addMember(t.org, m, ["member"]);
    expectProblem(
      await call("POST", "/admin/organization-pats", { token: m.session, org: t.org.id, body: { name: "x" } }),
      403,
      "insufficient_scope",
    );
    expectProblem(
      await call("GET", "/admin/organization-pats", { token: m.session, org: t.org.id }),
      403,
      "insufficient_scope",
    );
  });

  it("a key cannot be granted organizations:delete or more than its creator holds", async () => {
    const t = await tenant();
    expectProblem(
      await call("POST", "/admin/organization-pats", {
        token: t.owner.session,
        org: t.org.id,
        body: { name: "x", scopes: ["organizations:delete"] },
      }),
      400,
      "validation_failed",
    );
    const narrow = await call("POST", "/admin/organization-pats", {
      token: t.owner.session,
      org: t.org.id,
      body: { name: "n", scopes: ["api_keys:manage"] },
    });
    expect(narrow.status).toBe(201);
    expectProblem(
      await call("POST", "/admin/organization-pats", {
        token: narrow.json.token,
        body: { name: "x", scopes: ["members:manage"] },
      }),
      403,
      "insufficient_scope",
    );
  });

  it("revoked keys answer 401 at once and leave the list; revoking twice is a 404", async () => {
    const t = await tenant();
    const res = await call("POST", "/admin/organization-pats", {
      token: t.owner.session,
      org: t.org.id,
      body: { name: "x" },
    });
    expect((await call("GET", "/admin/organization", { token: res.json.token })).status).toBe(200);
    expect(
      (await call("DELETE", `/admin/organization-pats/${res.json.key_id}`, { token: t.owner.session, org: t.org.id }))
        .status,
    ).toBe(204);
    expectProblem(await call("GET", "/admin/organization", { token: res.json.token }), 401, "credential_revoked");
    expectProblem(
      await call("DELETE", `/admin/organization-pats/${res.json.key_id}`, { token: t.owner.session, org: t.org.id }),
      404,
      "not_found",
    );
  });

  it("an expired key → 401 credential_expired", async () => {
    const t = await tenant();
    const res = await call("POST", "/admin/organization-pats", {
      token: t.owner.session,
      org: t.org.id,
      body: { name: "x", expires_in_days: 1 },
    });
    await db()
      .update(apiKeys)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(apiKeys.id, res.json.key_id));
    const { forgetAll } = await import("../../src/auth/cache");
    forgetAll();
    expectProblem(await call("GET", "/admin/organization", { token: res.json.token }), 401, "credential_expired");
  });
});
