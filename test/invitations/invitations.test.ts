import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { assert, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import worker from "../../src/worker";
import { emailDeliveries, invitations } from "../../src/db/schema";
import type { EmailMessage } from "../../src/email/messages";
import { call, createKey, createUser, db, expectProblem, uniq } from "../harness";
import { as, mailsTo, outbox, team } from "../members/fixtures";

const DAY = 86_400_000;
const newEmail = () => `${uniq("inv")}@example.com`;

async function pendingRows(orgId: string, email: string) {
  return db()
    .select()
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), eq(invitations.email, email), eq(invitations.status, "pending")));
}

describe("POST /admin/invitations", () => {
  it("invites with a role, normalises the e-mail, expires in 7 days and mails an accept link through the queue", async () => {
    const t = await team();
    const email = newEmail();
    const res = await as(t.admin, t.org.id)("POST", "/admin/invitations", {
      email: `  ${email.toUpperCase()} `,
      role: "member",
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ email, role: "member", status: "pending", send_count: 1, invited_by: t.admin.id });
    expect(Math.abs(Date.parse(res.json.expires_at) - (Date.now() + 7 * DAY))).toBeLessThan(60_000);
    const [mail] = await mailsTo(email, 1);
    assert(mail, "an invitation mail was sent");
    expect(mail.subject).toContain(t.org.name);
    expect(mail.body).toContain(`${env.APP_URL}/invitations/${res.json.id}?token=`);
    expect(mail.body).toContain("as member");
  });

  it("expiry is configurable from 1 to 30 days, and nothing outside", async () => {
    const t = await team();
    const res = await as(t.owner, t.org.id)("POST", "/admin/invitations", {
      email: newEmail(),
      role: "viewer",
      expires_in_days: 30,
    });
    expect(res.status).toBe(201);
    expect(Math.abs(Date.parse(res.json.expires_at) - (Date.now() + 30 * DAY))).toBeLessThan(60_000);
    for (const days of [0, 31]) {
      const bad = await as(t.owner, t.org.id)("POST", "/admin/invitations", {
        email: newEmail(),
        role: "viewer",
        expires_in_days: days,
      });
      expectProblem(bad, 400, "validation_failed");
      expect(bad.json.errors[0].field).toBe("expires_in_days");
    }
  });

  it("only admin, member or viewer can be invited; a malformed e-mail is refused", async () => {
    const t = await team();
    expectProblem(
      await as(t.owner, t.org.id)("POST", "/admin/invitations", { email: newEmail(), role: "owner" }),
      400,
      "validation_failed",
    );
    expectProblem(
      await as(t.owner, t.org.id)("POST", "/admin/invitations", { email: "not-mail", role: "member" }),
      400,
      "validation_failed",
    );
  });

  it("inviting an existing member is refused (409) and writes nothing", async () => {
    const t = await team();
    const res = await as(t.admin, t.org.id)("POST", "/admin/invitations", {
      email: t.member.email.toUpperCase(),
      role: "admin",
    });
    expectProblem(res, 409, "already_member");
    expect(await pendingRows(t.org.id, t.member.email)).toHaveLength(0);
  });

  it("asking again for a pending e-mail resends the same invitation: one row, a second mail", async () => {
    const t = await team();
    const email = newEmail();
    const first = await as(t.admin, t.org.id)("POST", "/admin/invitations", { email, role: "viewer" });
    await mailsTo(email, 1);
    const again = await as(t.owner, t.org.id)("POST", "/admin/invitations", { email, role: "member" });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, send_count: 2, role: "member" });
    expect(await pendingRows(t.org.id, email)).toHaveLength(1);
    expect(await mailsTo(email, 2)).toHaveLength(2);
  });

  it("asking again after the pending invitation expired revives that same invitation with a fresh expiry", async () => {
    const t = await team();
    const email = newEmail();
    const first = (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email, role: "member" })).json;
    await db()
      .update(invitations)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(invitations.id, first.id));
    const again = await as(t.admin, t.org.id)("POST", "/admin/invitations", { email, role: "member" });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.id, status: "pending", send_count: 2 });
    expect(Date.parse(again.json.expires_at)).toBeGreaterThan(Date.now() + 6 * DAY);
  });

  it("two identical invitations at once create exactly one pending invitation", async () => {
    const t = await team();
    const email = newEmail();
    const results = await Promise.all(
      [1, 2, 3].map(() => as(t.admin, t.org.id)("POST", "/admin/invitations", { email, role: "member" })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(await pendingRows(t.org.id, email)).toHaveLength(1);
  });

  it("a user that exists but is not a member can be invited", async () => {
    const t = await team();
    const outsider = await createUser();
    expect(
      (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: outsider.email, role: "admin" })).status,
    ).toBe(201);
  });

  it("members and viewers cannot invite", async () => {
    const t = await team();
    for (const u of [t.member, t.viewer]) {
      expectProblem(
        await as(u, t.org.id)("POST", "/admin/invitations", { email: newEmail(), role: "viewer" }),
        403,
        "insufficient_scope",
      );
    }
  });

  it("an org API key with members:manage can invite", async () => {
    const t = await team();
    const key = await createKey(t.org, { createdBy: t.owner.id });
    const res = await call("POST", "/admin/invitations", {
      token: key.token,
      body: { email: newEmail(), role: "member" },
    });
    expect(res.status).toBe(201);
    expect(res.json.invited_by).toBeNull();
  });
});

describe("GET /admin/invitations", () => {
  it("a member gets a clear 403: the invitation list is for owners and admins", async () => {
    const t = await team();
    const res = await as(t.member, t.org.id)("GET", "/admin/invitations");
    expectProblem(res, 403, "insufficient_scope");
    expect(res.json.detail).toMatch(/owners and admins/);
  });

  it("lists pending invitations by default, newest first, with cursor pagination", async () => {
    const t = await team();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: newEmail(), role: "member" })).json.id,
      );
    await as(t.admin, t.org.id)("DELETE", `/admin/invitations/${ids[0]}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await as(t.admin, t.org.id)("GET", `/admin/invitations?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.json.data.map((i: { id: string }) => i.id));
      cursor = res.json.next_cursor;
    } while (cursor);
    expect(seen).toEqual(ids.slice(1).reverse());
    const all = await as(t.admin, t.org.id)("GET", "/admin/invitations?status=all");
    expect(all.json.data).toHaveLength(5);
    const revoked = await as(t.admin, t.org.id)("GET", "/admin/invitations?status=revoked");
    expect(revoked.json.data.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
  });

  it("a pending invitation past its expiry is listed as expired", async () => {
    const t = await team();
    const inv = (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: newEmail(), role: "member" })).json;
    await db()
      .update(invitations)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(invitations.id, inv.id));
    const res = await as(t.admin, t.org.id)("GET", "/admin/invitations?status=expired");
    expect(res.json.data).toEqual([expect.objectContaining({ id: inv.id, status: "expired" })]);
    expect((await as(t.admin, t.org.id)("GET", "/admin/invitations")).json.data).toEqual([]);
  });
});

describe("resend and revoke", () => {
  it("resend extends the expiry and sends a new mail without creating a second invitation", async () => {
    const t = await team();
    const email = newEmail();
    const inv = (
      await as(t.admin, t.org.id)("POST", "/admin/invitations", { email, role: "member", expires_in_days: 2 })
    ).json;
    await db()
      .update(invitations)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(invitations.id, inv.id));
    const res = await as(t.admin, t.org.id)("POST", `/admin/invitations/${inv.id}/resend`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: inv.id, status: "pending", send_count: 2 });
    expect(Math.abs(Date.parse(res.json.expires_at) - (Date.now() + 2 * DAY))).toBeLessThan(60_000);
    expect(await pendingRows(t.org.id, email)).toHaveLength(1);
    expect(await mailsTo(email, 2)).toHaveLength(2);
  });

  it("revoking makes it revoked; revoking or resending it again is refused", async () => {
    const t = await team();
    const inv = (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: newEmail(), role: "member" })).json;
    expect((await as(t.admin, t.org.id)("DELETE", `/admin/invitations/${inv.id}`)).status).toBe(204);
    const [row] = await db().select().from(invitations).where(eq(invitations.id, inv.id));
    expect(row?.status).toBe("revoked");
    expectProblem(await as(t.admin, t.org.id)("DELETE", `/admin/invitations/${inv.id}`), 409, "invitation_not_pending");
    expectProblem(
      await as(t.admin, t.org.id)("POST", `/admin/invitations/${inv.id}/resend`),
      409,
      "invitation_not_pending",
    );
  });

  it("unknown ids are 404; members cannot resend or revoke", async () => {
    const t = await team();
    expectProblem(await as(t.admin, t.org.id)("POST", "/admin/invitations/inv_nope/resend"), 404, "not_found");
    expectProblem(await as(t.admin, t.org.id)("DELETE", "/admin/invitations/inv_nope"), 404, "not_found");
    const inv = (await as(t.admin, t.org.id)("POST", "/admin/invitations", { email: newEmail(), role: "member" })).json;
    expectProblem(
      await as(t.member, t.org.id)("POST", `/admin/invitations/${inv.id}/resend`),
      403,
      "insufficient_scope",
    );
    expectProblem(await as(t.member, t.org.id)("DELETE", `/admin/invitations/${inv.id}`), 403, "insufficient_scope");
  });
});

describe("the email queue consumer", () => {
  it("the same key twice in one batch is sent once; different keys are all sent", async () => {
    const to = newEmail();
    const msg = (key: string): EmailMessage => ({
      key,
      to,
      template: "invitation",
      data: { org_name: "Acme", role: "member", accept_url: "http://x/y" },
    });
    const k1 = `invitation:${uniq("inv_")}:1`;
    const k2 = `invitation:${uniq("inv_")}:1`;
    const batch = createMessageBatch<EmailMessage>("email", [
      { id: "a", timestamp: new Date(), attempts: 1, body: msg(k1) },
      { id: "b", timestamp: new Date(), attempts: 1, body: msg(k1) },
      { id: "c", timestamp: new Date(), attempts: 1, body: msg(k2) },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(["a", "b", "c"]);
    expect(await outbox(to)).toHaveLength(2);
  });

  it("a redelivered invitation message sends nothing twice", async () => {
    const to = newEmail();
    const msg: EmailMessage = {
      key: `invitation:${uniq("inv_")}:1`,
      to,
      template: "invitation",
      data: { org_name: "Acme", role: "member", accept_url: "http://x/y" },
    };
    for (let attempt = 1; attempt <= 2; attempt++) {
      const batch = createMessageBatch<EmailMessage>("email", [
        { id: `m${attempt}`, timestamp: new Date(), attempts: attempt, body: msg },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual([`m${attempt}`]);
    }
    expect(await db().select().from(emailDeliveries).where(eq(emailDeliveries.recipient, to))).toHaveLength(1);
    expect(await outbox(to)).toHaveLength(1);
  });
});
