import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../src/worker";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { emailCodes } from "../../src/db/schema";
import { call, db, defined, expectProblem, uniq, waitFor } from "../harness";

async function outbox(email: string): Promise<{ subject: string }[]> {
  return (await call("GET", `/dev/outbox?to=${encodeURIComponent(email)}`)).json.data;
}

/** Starts a sign-in and reads the code from the newly delivered mail. */
async function startAndReadCode(email: string): Promise<string> {
  const before = (await outbox(email)).length;
  const start = await call("POST", "/auth/email/start", { body: { email } });
  expect(start.status).toBe(202);
  const mail = await waitFor(async () => {
    const mails = await outbox(email);
    return mails.length > before ? mails[0] : undefined;
  });
  const code = /\b(\d{6})\b/.exec(mail.subject)?.[1];
  if (!code) throw new Error("no code in mail");
  return code;
}

describe("passwordless e-mail sign-in", () => {
  it("first sign-in creates the user and an org named from the local part, owned by the user", async () => {
    const local = uniq("john");
    const email = `${local}@Acme.com`;
    const code = await startAndReadCode(email.toLowerCase());
    const res = await call("POST", "/auth/email/verify", { body: { email, code } });
    expect(res.status).toBe(200);
    expect(res.json.user.email).toBe(email.toLowerCase());
    expect(res.json.organizations).toHaveLength(1);
    expect(res.json.organizations[0]).toMatchObject({
      name: local,
      slug: local.toLowerCase(),
      roles: ["owner"],
      status: "provisioning",
      personal: true,
    });

    const me = await call("GET", "/admin/me", { token: res.json.token });
    expect(me.status).toBe(200);
    expect(me.json.user.id).toBe(res.json.user.id);
    expect(me.json.organizations).toMatchObject([{ id: res.json.organizations[0].id, personal: true }]);

    // A team organization made later is not the personal context.
    const team = await call("POST", "/admin/organizations", { token: res.json.token, body: { name: "Team" } });
    expect(team.status).toBe(201);
    const after = await call("GET", "/admin/me", { token: res.json.token });
    const byId = Object.fromEntries(after.json.organizations.map((o: { id: string; personal: boolean }) => [o.id, o]));
    expect(byId[res.json.organizations[0].id].personal).toBe(true);
    expect(byId[team.json.id].personal).toBe(false);
  });

  it("a taken slug gets a suffix on first sign-in", async () => {
    const local = uniq("jane");
    const first = await signIn(`${local}@one.example`);
    const second = await signIn(`${local}@two.example`);
    expect(first.organizations[0].slug).toBe(local.toLowerCase());
    expect(second.organizations[0].slug).toMatch(new RegExp(`^${local.toLowerCase()}-[a-z0-9]{6}$`));
    expect(second.organizations[0].name).toBe(local);
  });

  it("a second sign-in of the same e-mail creates no second org", async () => {
    const email = `${uniq("twice")}@example.com`;
    const a = await signIn(email);
    const b = await signIn(email);
    expect(b.user.id).toBe(a.user.id);
    expect(b.organizations.map((o: { id: string }) => o.id)).toEqual(a.organizations.map((o: { id: string }) => o.id));
  });

  it("stores the code hashed, never in clear", async () => {
    const email = `${uniq("hash")}@example.com`;
    const code = await startAndReadCode(email);
    const row = defined((await db().select().from(emailCodes).where(eq(emailCodes.email, email)))[0], "code row");
    expect(row.codeHash).not.toContain(code);
    expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a wrong code is refused and counts as an attempt; the sixth attempt is refused even with the right code", async () => {
    const email = `${uniq("guess")}@example.com`;
    const code = await startAndReadCode(email);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++)
      expectProblem(await call("POST", "/auth/email/verify", { body: { email, code: wrong } }), 401, "invalid_code");
    expectProblem(await call("POST", "/auth/email/verify", { body: { email, code } }), 429, "too_many_attempts");
    // The code is burnt: even the right code no longer works.
    expectProblem(await call("POST", "/auth/email/verify", { body: { email, code } }), 401, "invalid_code");
  });

  it("an expired code is refused", async () => {
    const email = `${uniq("late")}@example.com`;
    const code = await startAndReadCode(email);
    await db()
      .update(emailCodes)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(emailCodes.email, email));
    expectProblem(await call("POST", "/auth/email/verify", { body: { email, code } }), 401, "code_expired");
  });

  it("a code is single-use", async () => {
    const email = `${uniq("once")}@example.com`;
    const code = await startAndReadCode(email);
    expect((await call("POST", "/auth/email/verify", { body: { email, code } })).status).toBe(200);
    expectProblem(await call("POST", "/auth/email/verify", { body: { email, code } }), 401, "invalid_code");
  });

  it("bad input names the field", async () => {
    const res = await call("POST", "/auth/email/start", { body: { email: "not-an-email" } });
    expectProblem(res, 400, "validation_failed");
    expect(res.json.errors[0].field).toBe("email");
    const bad = await call("POST", "/auth/email/verify", { body: { email: "a@b.co", code: "12ab" } });
    expectProblem(bad, 400, "validation_failed");
    expect(bad.json.errors.map((e: { field: string }) => e.field)).toContain("code");
  });

  it("malformed JSON is a 400 problem, not a crash", async () => {
    expectProblem(await call("POST", "/auth/email/start", { rawBody: "{nope" }), 400, "malformed_json");
  });

  it("the outbox exists only in development", async () => {
    expect(env.ENVIRONMENT).toBe("development");
    const res = await call("GET", "/dev/outbox?to=nobody@example.com");
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual([]);
    const prod = await worker.fetch(
      new Request("http://api.test/dev/outbox?to=nobody@example.com"),
      { ...env, ENVIRONMENT: "production" },
      createExecutionContext(),
    );
    expect(prod.status).toBe(404);
    expect((await prod.json<{ code: string }>()).code).toBe("not_found");
  });
});

async function signIn(email: string) {
  const code = await startAndReadCode(email);
  const res = await call("POST", "/auth/email/verify", { body: { email, code } });
  expect(res.status).toBe(200);
  return res.json;
}
