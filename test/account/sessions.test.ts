import { describe, expect, it } from "vitest";
import { sessions } from "../../src/db/schema";
import { newId } from "../../src/lib/crypto";
import { call, createPat, createUser, db, expectProblem, type TestUser } from "../harness";

type SessionView = { id: string; created_at: string; current: boolean };

/** Sessions of `user` begun at the given times (ms ago), as another device would have. */
async function otherSessions(user: TestUser, agesMs: number[], extra: Partial<typeof sessions.$inferInsert> = {}) {
  const now = Date.now();
  const rows = agesMs.map((age) => ({
    id: newId("ses"),
    userId: user.id,
    createdAt: now - age,
    expiresAt: now + 86_400_000,
    userAgent: "other device",
    ...extra,
  }));
  for (const row of rows) await db().insert(sessions).values(row);
  return rows.map((r) => r.id);
}

const list = (user: TestUser, query = "") => call("GET", `/admin/account/sessions${query}`, { token: user.session });

describe("GET /admin/account/sessions", () => {
  it("lists the user's live sessions newest first and marks the one making the request", async () => {
    const user = await createUser();
    const older = await otherSessions(user, [60_000, 120_000]);
    const res = await list(user);
    expect(res.status).toBe(200);
    expect(res.json.data.map((s: SessionView) => s.id)).toEqual([user.sessionId, ...older]);
    expect(res.json.data.map((s: SessionView) => s.current)).toEqual([true, false, false]);
    expect(res.json.data[1]).toMatchObject({ user_agent: "other device", expires_at: expect.any(String) });
    expect(res.json.next_cursor).toBeNull();
  });

  it("leaves out revoked and expired sessions and other users' sessions", async () => {
    const user = await createUser();
    const stranger = await createUser();
    await otherSessions(user, [1_000], { revokedAt: Date.now() });
    await otherSessions(user, [2_000], { expiresAt: Date.now() - 1 });
    await otherSessions(stranger, [3_000]);
    expect((await list(user)).json.data.map((s: SessionView) => s.id)).toEqual([user.sessionId]);
  });

  it("is paginated with a cursor, even between sessions begun at the same moment", async () => {
    const user = await createUser();
    const older = await otherSessions(user, [5_000, 5_000, 9_000, 12_000]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await list(user, query);
      expect(page.status).toBe(200);
      expect(page.json.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.data.map((s: SessionView) => s.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set([user.sessionId, ...older]));
    expectProblem(await list(user, "?limit=0"), 400, "validation_failed");
    expectProblem(await list(user, "?limit=101"), 400, "validation_failed");
  });
});

describe("DELETE /admin/account/sessions/{id}", () => {
  it("revokes another of the user's sessions; someone else's is a 404", async () => {
    const user = await createUser();
    const stranger = await createUser();
    const [other] = await otherSessions(user, [1_000]);
    expectProblem(
      await call("DELETE", `/admin/account/sessions/${other}`, { token: stranger.session }),
      404,
      "not_found",
    );
    expect((await call("DELETE", `/admin/account/sessions/${other}`, { token: user.session })).status).toBe(204);
    expect((await list(user)).json.data.map((s: SessionView) => s.id)).toEqual([user.sessionId]);
    expectProblem(await call("DELETE", `/admin/account/sessions/${other}`, { token: user.session }), 404, "not_found");
  });

  it("`current` signs out the session making the request; a PAT has none to sign out", async () => {
    const user = await createUser();
    const pat = await createPat(user, { scopes: ["account_sessions:manage"] });
    expectProblem(await call("DELETE", "/admin/account/sessions/current", { token: pat }), 422, "unprocessable");
    expect((await call("DELETE", "/admin/account/sessions/current", { token: user.session })).status).toBe(204);
    expectProblem(await list(user), 401, "credential_revoked");
    const viaPat = await call("GET", "/admin/account/sessions", { token: pat });
    expect(viaPat.json.data.map((s: SessionView) => s.id)).not.toContain(user.sessionId);
  });
});
