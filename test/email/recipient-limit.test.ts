import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { emailDeliveries, invitations } from "../../src/db/schema";
import { call, db, expectProblem, uniq, waitFor } from "../harness";
import { as, team } from "../members/fixtures";

/**
 * Issue 9 item 5: one address received 36 e-mails. Invitation mail is capped per recipient:
 * 10 in 24 hours from all organizations together (EMAILS_PER_RECIPIENT_PER_DAY), then 429
 * rate_limited with Retry-After, and nothing is written or sent.
 */
describe("invitation e-mails per recipient", () => {
  it("an address gets at most 10 a day, across organizations; then 429 with Retry-After and nothing changes", async () => {
    const a = await team();
    const b = await team();
    const email = `${uniq("target")}@example.com`;
    const first = await as(a.admin, a.org.id)("POST", "/admin/invitations", { email, role: "member" });
    expect(first.status).toBe(201);
    for (let i = 0; i < 9; i++) {
      expect((await as(a.admin, a.org.id)("POST", `/admin/invitations/${first.json.id}/resend`)).status).toBe(200);
    }
    const resend = await as(a.admin, a.org.id)("POST", `/admin/invitations/${first.json.id}/resend`);
    expectProblem(resend, 429, "rate_limited");
    const retry = Number(resend.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(86_400);
    // Asking again through create (a resend) and from another organization: refused too.
    expectProblem(
      await as(a.admin, a.org.id)("POST", "/admin/invitations", { email, role: "admin" }),
      429,
      "rate_limited",
    );
    expectProblem(
      await as(b.admin, b.org.id)("POST", "/admin/invitations", { email, role: "member" }),
      429,
      "rate_limited",
    );
    const rows = await db().select().from(invitations).where(eq(invitations.email, email));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sendCount: 10, role: "member" });
    // Exactly ten mails went out.
    await waitFor(async () => {
      const sent = await db().select().from(emailDeliveries).where(eq(emailDeliveries.recipient, email));
      return sent.length === 10;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await db().select().from(emailDeliveries).where(eq(emailDeliveries.recipient, email))).toHaveLength(10);
    // Other addresses are not affected, and the capped one can still sign in (its own limits).
    expect(
      (
        await as(b.admin, b.org.id)("POST", "/admin/invitations", {
          email: `${uniq("other")}@example.com`,
          role: "member",
        })
      ).status,
    ).toBe(201);
    expect((await call("POST", "/auth/email/start", { body: { email } })).status).toBe(202);
  });

  it("a refused invitation sends nothing and spends nothing of the recipient's allowance", async () => {
    const a = await team();
    const b = await team();
    for (let i = 0; i < 12; i++) {
      expectProblem(
        await as(a.admin, a.org.id)("POST", "/admin/invitations", { email: a.member.email, role: "member" }),
        409,
        "already_member",
      );
    }
    const res = await as(b.admin, b.org.id)("POST", "/admin/invitations", { email: a.member.email, role: "member" });
    expect(res.status).toBe(201);
    const rows = await db()
      .select()
      .from(invitations)
      .where(and(eq(invitations.email, a.member.email), eq(invitations.orgId, a.org.id)));
    expect(rows).toHaveLength(0);
  });
});
