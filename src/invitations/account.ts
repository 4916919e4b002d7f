import { and, desc, eq, gt, isNotNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { invitations, memberships, organizations, users, type InvitationRow } from "../db/schema";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { asBatch } from "../db/batch";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { paginate } from "../lib/pagination";
import { timingSafeEqual } from "../lib/crypto";
import { forgetMembership } from "../auth/cache";
import { auditStatement } from "../audit/log";
import type { Actor } from "../auth/principal";
import { invitationToken } from "./service";
import { invitationStatus, toInvitationView } from "./view";

/**
 * The invitee's side. An invitation belongs to an e-mail; a user sees and answers only
 * those addressed to their own verified e-mail. Any other invitation is a 404, whatever
 * its id or token: an invitation never reveals itself to the wrong account.
 */
const addressedTo = (userId: string) => and(eq(users.id, userId), isNotNull(users.emailVerifiedAt));

/** Pending, unexpired invitations for the caller's verified e-mail, newest first. One query. */
export async function listMyInvitations(db: Db, userId: string, q: { limit: number; before: string | null }) {
  const rows = await db
    .select({ inv: invitations, org: { id: organizations.id, name: organizations.name, slug: organizations.slug } })
    .from(invitations)
    .innerJoin(users, eq(users.email, invitations.email))
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .where(
      and(
        addressedTo(userId),
        eq(invitations.status, "pending"),
        gt(invitations.expiresAt, Date.now()),
        q.before ? lt(invitations.id, q.before) : undefined,
      ),
    )
    .orderBy(desc(invitations.id))
    .limit(q.limit + 1);
  const page = paginate(rows, q.limit, (r) => [r.inv.id]);
  return {
    data: page.data.map((r) => ({ ...toInvitationView(r.inv), organization: r.org })),
    next_cursor: page.next_cursor,
  };
}

async function myInvitation(
  env: Env,
  db: Db,
  userId: string,
  id: string,
  token: string | undefined,
): Promise<InvitationRow> {
  const row = (
    await db
      .select({ inv: invitations })
      .from(invitations)
      .innerJoin(users, eq(users.email, invitations.email))
      .where(and(eq(invitations.id, id), addressedTo(userId)))
      .limit(1)
  )[0]?.inv;
  if (!row) throw new AppError("not_found", "Invitation not found.");
  if (token !== undefined && !timingSafeEqual(token, await invitationToken(env, id)))
    throw new AppError("not_found", "Invitation not found.");
  const status = invitationStatus(row);
  if (status === "expired") throw new AppError("invitation_expired", "This invitation has expired; ask for a new one.");
  if (status !== "pending") throw new AppError("invitation_not_pending", `This invitation is ${status}.`);
  return row;
}

/** Re-reads after a lost race (revoked, declined or accepted meanwhile) for the right answer. */
async function lostRace(env: Env, db: Db, userId: string, id: string): Promise<AppError> {
  try {
    await myInvitation(env, db, userId, id, undefined);
    return new AppError("conflict", "The invitation changed concurrently; retry.");
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

/**
 * Accepts: in one batch, the invitation turns accepted (only if still pending and
 * unexpired: a concurrent revoke wins or loses as a whole) and the membership is created
 * with the invited role. A returning member regains access this way; an existing member
 * keeps their roles.
 */
export async function acceptInvitation(
  env: Env,
  db: Db,
  userId: string,
  id: string,
  token: string | undefined,
  actor: Actor,
) {
  const inv = await myInvitation(env, db, userId, id, token);
  const now = Date.now();
  try {
    await db.batch(
      asBatch([
        db
          .update(invitations)
          .set({ status: "accepted", updatedAt: now })
          .where(and(eq(invitations.id, id), eq(invitations.status, "pending"), gt(invitations.expiresAt, now))),
        abortUnlessChanged(db),
        db
          .insert(memberships)
          .values({ orgId: inv.orgId, userId, roles: inv.role, createdAt: now })
          .onConflictDoNothing(),
        auditStatement(db, {
          orgId: inv.orgId,
          actor,
          action: "invitation.accepted",
          targetType: "invitation",
          targetId: id,
          after: { user_id: userId, role: inv.role },
        }),
      ]),
    );
  } catch (err) {
    if (isStaleWrite(err)) throw await lostRace(env, db, userId, id);
    throw err;
  } finally {
    // The "not a member" answer may be cached for this user and org.
    forgetMembership(userId, inv.orgId);
  }
  const org = (
    await db
      .select({ id: organizations.id, name: organizations.name, slug: organizations.slug })
      .from(organizations)
      .where(eq(organizations.id, inv.orgId))
  )[0];
  return { ...toInvitationView({ ...inv, status: "accepted", updatedAt: now }), organization: org ?? null };
}

export async function declineInvitation(env: Env, db: Db, userId: string, id: string, actor: Actor) {
  const inv = await myInvitation(env, db, userId, id, undefined);
  const now = Date.now();
  try {
    await db.batch(
      asBatch([
        db
          .update(invitations)
          .set({ status: "declined", updatedAt: now })
          .where(and(eq(invitations.id, id), eq(invitations.status, "pending"))),
        abortUnlessChanged(db),
        auditStatement(db, {
          orgId: inv.orgId,
          actor,
          action: "invitation.declined",
          targetType: "invitation",
          targetId: id,
          after: { user_id: userId },
        }),
      ]),
    );
  } catch (err) {
    if (isStaleWrite(err)) throw await lostRace(env, db, userId, id);
    throw err;
  }
  return toInvitationView({ ...inv, status: "declined", updatedAt: now });
}
