import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { securityLog } from "../../src/db/schema";
import { call, createPat, createUser, db, expectProblem, tenant, uniq, waitFor } from "../harness";

/** Issue 9, item 1: creating and revoking a PAT or a session is in the user's own security log. */
type Entry = {
  id: string;
  action: string;
  target_id: string;
  actor: { kind: string; credential_id: string | null };
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown> | null;
  created_at: string;
};

const CLIENT = { "user-agent": "security-log-test/1.0", "cf-connecting-ip": "203.0.113.7" };

async function logOf(token: string, query = ""): Promise<Entry[]> {
  const res = await call("GET", `/admin/account/security-log${query}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.json.data;
}

describe("GET /admin/account/security-log", () => {
  it("records a PAT created and revoked, with the credential, request id, address and user agent", async () => {
    const u = await createUser();
    const created = await call("POST", "/admin/account/tokens", {
      token: u.session,
      body: { name: "ci", scopes: ["account:read"] },
      headers: CLIENT,
    });
    expect(created.status).toBe(201);
    const revoked = await call("DELETE", `/admin/account/tokens/${created.json.id}`, {
      token: u.session,
      headers: CLIENT,
    });
    expect(revoked.status).toBe(204);
    const [rev, made] = await logOf(u.session);
    expect(made).toMatchObject({
      action: "personal_token.created",
      target_id: created.json.id,
      actor: { kind: "session", credential_id: u.sessionId },
      request_id: created.headers.get("x-request-id"),
      ip: "203.0.113.7",
      user_agent: "security-log-test/1.0",
      details: { name: "ci", scopes: ["account:read"], expires_at: null },
    });
    expect(rev).toMatchObject({
      action: "personal_token.revoked",
      target_id: created.json.id,
      request_id: revoked.headers.get("x-request-id"),
    });
  });

  it("records what a PAT does as that PAT, and a session signed out", async () => {
    const u = await createUser();
    const pat = await createPat(u, { scopes: ["account_tokens:manage", "account_sessions:manage"] });
    const child = await call("POST", "/admin/account/tokens", { token: pat, body: { name: "child" } });
    expect(child.status).toBe(201);
    expect((await call("DELETE", `/admin/account/sessions/${u.sessionId}`, { token: pat })).status).toBe(204);
    const entries = await logOf(pat);
    const patId = entries.find(
      (e) => e.action === "personal_token.created" && e.target_id !== child.json.id,
    )?.target_id;
    expect(entries.slice(0, 2)).toMatchObject([
      { action: "session.revoked", target_id: u.sessionId, actor: { kind: "pat", credential_id: patId } },
      { action: "personal_token.created", target_id: child.json.id, actor: { kind: "pat", credential_id: patId } },
    ]);
  });

  it("records the session a sign-in begins", async () => {
    const email = `${uniq("seclog")}@example.com`;
    const start = await call("POST", "/auth/email/start", { body: { email } });
    expect(start.status).toBe(202);
    const mail = await waitFor(async () => {
      const res = await call("GET", `/dev/outbox?to=${encodeURIComponent(email)}`);
      return res.json.data[0] as { subject: string } | undefined;
    });
    const code = /\b(\d{6})\b/.exec(mail.subject)?.[1];
    const verified = await call("POST", "/auth/email/verify", { body: { email, code }, headers: CLIENT });
    expect(verified.status).toBe(200);
    const [entry] = await logOf(verified.json.token);
    expect(entry).toMatchObject({
      action: "session.created",
      actor: { kind: "sign_in", credential_id: null },
      request_id: verified.headers.get("x-request-id"),
      ip: "203.0.113.7",
      user_agent: "security-log-test/1.0",
    });
    const sessions = await call("GET", "/admin/account/sessions", { token: verified.json.token });
    expect(entry?.target_id).toBe(sessions.json.data[0].id);
  });

  it("shows only the caller's own entries, newest first, paginated", async () => {
    const u = await createUser();
    const other = await createUser();
    await createPat(other);
    for (let i = 0; i < 3; i++) {
      const res = await call("POST", "/admin/account/tokens", { token: u.session, body: { name: `p${i}` } });
      expect(res.status).toBe(201);
    }
    const all = await logOf(u.session);
    expect(all.map((e) => e.details?.name)).toEqual(["p2", "p1", "p0"]);
    const first = await call("GET", "/admin/account/security-log?limit=2", { token: u.session });
    expect(first.json.data).toHaveLength(2);
    const second = await logOf(u.session, `?limit=2&cursor=${first.json.next_cursor}`);
    expect([...first.json.data, ...second].map((e: Entry) => e.id)).toEqual(all.map((e) => e.id));
    const stored = await db().select().from(securityLog).where(eq(securityLog.userId, other.id));
    expect(stored.length).toBe(1);
    expect(all.map((e) => e.id)).not.toContain(stored[0]?.id);
    expectProblem(
      await call("GET", "/admin/account/security-log?limit=0", { token: u.session }),
      400,
      "validation_failed",
    );
  });

  it("needs account:read; an org API key has no account; a refused change logs nothing", async () => {
    const t = await tenant();
    const bare = await createPat(t.owner, { scopes: ["organizations:read"] });
    expectProblem(await call("GET", "/admin/account/security-log", { token: bare }), 403, "insufficient_scope");
    expectProblem(await call("GET", "/admin/account/security-log", { token: t.key }), 403, "forbidden");
    const before = (await db().select().from(securityLog).where(eq(securityLog.userId, t.owner.id))).length;
    expectProblem(await call("DELETE", "/admin/account/tokens/pat_nope", { token: t.owner.session }), 404, "not_found");
    expectProblem(
      await call("DELETE", "/admin/account/sessions/ses_nope", { token: t.owner.session }),
      404,
      "not_found",
    );
    expectProblem(
      await call("POST", "/admin/account/tokens", { token: bare, body: { name: "x" } }),
      403,
      "insufficient_scope",
    );
    expect((await db().select().from(securityLog).where(eq(securityLog.userId, t.owner.id))).length).toBe(before);
  });
});
