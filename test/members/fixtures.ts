import { expect } from "vitest";
import { and, eq } from "drizzle-orm";
import { memberships } from "../../src/db/schema";
import { parseRoles } from "../../src/auth/scopes";
import { addMember, call, createOrg, createUser, db, waitFor, type TestUser } from "../harness";

/** An org with one user per role. */
export async function team() {
  const owner = await createUser();
  const org = await createOrg(owner);
  const [admin, member, viewer] = await Promise.all([createUser(), createUser(), createUser()]);
  await addMember(org, admin, ["admin"]);
  await addMember(org, member, ["member"]);
  await addMember(org, viewer, ["viewer"]);
  return { org, owner, admin, member, viewer };
}

/** Calls an org-scoped route as a user's session in `orgId`. */
export function as(user: TestUser, orgId: string) {
  return (method: string, path: string, body?: unknown) =>
    call(method, path, { token: user.session, org: orgId, body });
}

export async function rolesInDb(orgId: string, userId: string) {
  const row = (
    await db()
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
  )[0];
  return row ? parseRoles(row.roles) : null;
}

export async function ownersOf(orgId: string): Promise<string[]> {
  const rows = await db()
    .select()
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.isOwner, 1)));
  return rows.map((r) => r.userId);
}

export type Mail = { subject: string; body: string };

export async function outbox(email: string): Promise<Mail[]> {
  const res = await call("GET", `/dev/outbox?to=${encodeURIComponent(email)}`);
  expect(res.status).toBe(200);
  return res.json.data;
}

/** Waits until `email` has received `count` mails and returns them, newest first. */
export async function mailsTo(email: string, count: number): Promise<Mail[]> {
  return waitFor(async () => {
    const mails = await outbox(email);
    return mails.length >= count ? mails : undefined;
  });
}
