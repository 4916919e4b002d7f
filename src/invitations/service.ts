import { and, desc, eq, gt, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { invitations, type InvitationRow, type OrganizationRow } from "../db/schema";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { cachedRead } from "../db/read-cache";
import { asBatch } from "../db/batch";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { DAY_MS } from "../lib/dates";
import { paginate, cursorKey } from "../lib/pagination";
import { hmacHex, newId } from "../lib/crypto";
import { enqueueEmail } from "../email/messages";
import { reserveRecipientMail } from "../email/limits";
import { limitsOf } from "../quotas/limits";
import { isQuotaExceeded, pendingInvitationsQuota, quotaError, quotaGuard, quotaGuardSql } from "../quotas/quotas";
import { auditStatement } from "../audit/log";
import type { Actor } from "../auth/principal";
import type { OrgHooks } from "../orgs/lifecycle";
import { refuseIfSuspended } from "../orgs/suspension";
import { fromRaw, toInvitationView, type InvitationStatus, type RawInvitation } from "./view";
import type { CreateInvitationInput, InvitationListInput } from "./schemas";

export const DEFAULT_VALID_DAYS = 7;

/** Org deletion takes the org's invitations with it, in its batch. */
export const invitationHooks: OrgHooks = {
  deletionStatements: (db, orgId) => [db.delete(invitations).where(eq(invitations.orgId, orgId))],
};

/** The secret in the accept link: derived from the id, so resending never needs it stored. */
export async function invitationToken(env: Env, id: string): Promise<string> {
  return (await hmacHex(env.JWT_SECRET ?? "", `invitation:${id}`)).slice(0, 40);
}

const UPSERT_INVITATION = `
  INSERT INTO invitations (id, org_id, email, role, status, valid_days, send_count, invited_by, expires_at, created_at, updated_at)
  SELECT ?1, ?2, ?3, ?4, 'pending', ?5, 1, ?6, ?7, ?8, ?8
  WHERE NOT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ?2 AND u.email = ?3)
  ON CONFLICT (org_id, email) WHERE status = 'pending' DO UPDATE SET
    role = excluded.role, valid_days = excluded.valid_days, expires_at = excluded.expires_at,
    send_count = invitations.send_count + 1, updated_at = excluded.updated_at
  RETURNING *`;

/** Written only when the upsert just before it wrote a row (`changes()`). */
const AUDIT_INVITATION = `
  INSERT INTO audit_log (id, org_id, actor_user_id, credential_id, credential_kind, action, target_type, target_id, before, after, request_id, created_at)
  SELECT ?1, ?2, ?3, ?4, ?5, CASE WHEN i.send_count > 1 THEN 'invitation.resent' ELSE 'invitation.created' END,
    'invitation', i.id, NULL, json_object('email', i.email, 'role', i.role, 'expires_at', i.expires_at), ?6, ?7
  FROM invitations i
  WHERE changes() > 0 AND i.org_id = ?2 AND i.email = ?8 AND i.status = 'pending'`;

type OrgRef = { id: string; name: string; status: OrganizationRow["status"] };

/**
 * Invites an e-mail (already normalised) to an org: one D1 batch plus one queue send.
 * The batch inserts the invitation unless the e-mail is already a member; if a pending
 * invitation for the e-mail exists (the partial unique index), asking again updates its
 * role and expiry and resends it instead of creating a second one. The audit row is
 * written in the same batch, only when the invitation was written.
 */
export async function createInvitation(env: Env, db: Db, org: OrgRef, input: CreateInvitationInput, actor: Actor) {
  refuseIfSuspended(org, "send invitations");
  const now = Date.now();
  const days = input.expires_in_days ?? DEFAULT_VALID_DAYS;
  const quota = pendingInvitationsQuota(org.id, limitsOf(env), now);
  const giveBack = await reserveRecipientMail(env, input.email);
  // Plain D1 statements: drizzle's batch cannot bind parameters of raw SQL, and this
  // upsert (INSERT … SELECT … ON CONFLICT on a partial index) has no query-builder form.
  // The quota guard comes last (the audit row reads changes() of the upsert).
  const d1 = db.$client;
  let raw: RawInvitation | undefined;
  try {
    const [upsert] = await d1.batch([
      d1
        .prepare(UPSERT_INVITATION)
        .bind(newId("inv"), org.id, input.email, input.role, days, actor.userId, now + days * DAY_MS, now),
      d1
        .prepare(AUDIT_INVITATION)
        .bind(newId("aud"), org.id, actor.userId, actor.credentialId, actor.kind, actor.requestId, now, input.email),
      d1.prepare(quotaGuardSql(quota)),
    ]);
    raw = ((upsert?.results ?? []) as RawInvitation[])[0];
  } catch (err) {
    await giveBack();
    if (isQuotaExceeded(err)) throw await quotaError(db, [quota]);
    throw err;
  }
  if (!raw) {
    await giveBack();
    throw new AppError("already_member", `${input.email} is already a member of this organization.`);
  }
  const row = fromRaw(raw);
  await sendInvitationMail(env, org, row, actor);
  return { invitation: toInvitationView(row), resent: row.sendCount > 1 };
}

/** Queues the mail. The key includes the send count: redelivery sends nothing twice, a resend sends anew. */
async function sendInvitationMail(env: Env, org: OrgRef, row: InvitationRow, actor: Actor): Promise<void> {
  const token = await invitationToken(env, row.id);
  await enqueueEmail(env, {
    key: `invitation:${row.id}:${row.sendCount}`,
    to: row.email,
    template: "invitation",
    data: {
      org_name: org.name,
      role: row.role,
      accept_url: `${env.APP_URL}/invitations/${row.id}?token=${token}`,
      expires_at: new Date(row.expiresAt).toISOString(),
      inviter: actor.email,
    },
  });
}

async function findInvitation(db: Db, orgId: string, id: string): Promise<InvitationRow> {
  const row = (
    await db
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, id), eq(invitations.orgId, orgId)))
      .limit(1)
  )[0];
  if (!row) throw new AppError("not_found", "Invitation not found.");
  return row;
}

/** Explains why a guarded write on an invitation found nothing to change. */
export async function whyNotPending(db: Db, orgId: string, id: string): Promise<AppError> {
  const row = await findInvitation(db, orgId, id);
  return new AppError("invitation_not_pending", `This invitation is ${row.status}.`);
}

/** Sends the pending invitation again and extends its expiry by its validity period. */
export async function resendInvitation(env: Env, db: Db, org: OrgRef, id: string, actor: Actor) {
  refuseIfSuspended(org, "send invitations");
  const now = Date.now();
  // Resending an expired invitation makes it pending again: it counts against the quota.
  const quota = pendingInvitationsQuota(org.id, limitsOf(env), now);
  const giveBack = await reserveRecipientMail(env, (await findInvitation(db, org.id, id)).email);
  let updated: InvitationRow | undefined;
  try {
    [[updated]] = await db.batch([
      db
        .update(invitations)
        .set({
          sendCount: sql`${invitations.sendCount} + 1`,
          expiresAt: sql`${now} + ${invitations.validDays} * ${DAY_MS}`,
          updatedAt: now,
        })
        .where(and(eq(invitations.id, id), eq(invitations.orgId, org.id), eq(invitations.status, "pending")))
        .returning(),
      abortUnlessChanged(db),
      auditStatement(db, { orgId: org.id, actor, action: "invitation.resent", targetType: "invitation", targetId: id }),
      quotaGuard(db, quota),
    ]);
  } catch (err) {
    await giveBack();
    if (isStaleWrite(err)) throw await whyNotPending(db, org.id, id);
    if (isQuotaExceeded(err)) throw await quotaError(db, [quota]);
    throw err;
  }
  if (!updated) throw new AppError("not_found", "Invitation not found.");
  await sendInvitationMail(env, org, updated, actor);
  return toInvitationView(updated);
}

/** Revokes a pending (or expired) invitation; its link stops working at once. */
export async function revokeInvitation(db: Db, orgId: string, id: string, actor: Actor): Promise<void> {
  const now = Date.now();
  try {
    await db.batch(
      asBatch([
        db
          .update(invitations)
          .set({ status: "revoked", respondedAt: now, updatedAt: now })
          .where(and(eq(invitations.id, id), eq(invitations.orgId, orgId), eq(invitations.status, "pending"))),
        abortUnlessChanged(db),
        auditStatement(db, { orgId, actor, action: "invitation.revoked", targetType: "invitation", targetId: id }),
      ]),
    );
  } catch (err) {
    if (isStaleWrite(err)) throw await whyNotPending(db, orgId, id);
    throw err;
  }
}

/**
 * One page of an org's invitations, newest first, filtered by (computed) status. One query, or
 * none while cached (an invitation expiring meanwhile shows as such within the cache's TTL).
 */
export function listInvitations(db: Db, orgId: string, q: InvitationListInput) {
  return cachedRead(`invitations:${orgId}:${q.status}:${q.limit}:${q.cursor ?? ""}`, () =>
    queryInvitations(db, orgId, q),
  );
}

async function queryInvitations(db: Db, orgId: string, q: InvitationListInput) {
  const now = Date.now();
  const at = cursorKey(q.cursor);
  const before = typeof at === "string" ? at : null;
  const byStatus: Record<InvitationStatus | "all", SQL | undefined> = {
    all: undefined,
    pending: and(eq(invitations.status, "pending"), gt(invitations.expiresAt, now)),
    expired: and(eq(invitations.status, "pending"), lte(invitations.expiresAt, now)),
    accepted: eq(invitations.status, "accepted"),
    declined: eq(invitations.status, "declined"),
    revoked: eq(invitations.status, "revoked"),
  };
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      status: invitations.status,
      expiresAt: invitations.expiresAt,
      sendCount: invitations.sendCount,
      invitedBy: invitations.invitedBy,
      createdAt: invitations.createdAt,
      updatedAt: invitations.updatedAt,
    })
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), byStatus[q.status], before ? lt(invitations.id, before) : undefined))
    .orderBy(desc(invitations.id))
    .limit(q.limit + 1);
  const page = paginate(rows, q.limit, (r) => [r.id]);
  return { data: page.data.map(toInvitationView), next_cursor: page.next_cursor };
}
