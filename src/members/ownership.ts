import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { memberships, organizations } from "../db/schema";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { asBatch } from "../db/batch";
import { AppError } from "../lib/errors";
import { forgetMembership, forgetOrg } from "../auth/cache";
import { formatRoles, normalizeRoles } from "../auth/scopes";
import { isUniqueViolation } from "../orgs/service";
import { auditStatement } from "../audit/log";
import type { Actor } from "../auth/principal";
import type { MemberView } from "./schemas";
import { getMember } from "./service";

/**
 * Ownership is a column of the organization row (`owner_user_id` or, for a child, the
 * owning parent `owner_org_id`; exactly one is set, a CHECK of migration 0007). It moves
 * by updating that row in one statement; the database's triggers move the `owner` role
 * of memberships with it (the previous owner becomes an admin, the new one gains `owner`
 * keeping its roles), so no statement ever leaves the org with two owners or none.
 */

/** The statement that checks, in the batch, that a member's roles are still as read. */
function unchangedMember(db: Db, orgId: string, m: MemberView): BatchItem<"sqlite"> {
  return db
    .update(memberships)
    .set({ roles: sql`${memberships.roles}` })
    .where(
      and(eq(memberships.orgId, orgId), eq(memberships.userId, m.user_id), eq(memberships.roles, formatRoles(m.roles))),
    );
}

async function runTransfer(db: Db, statements: BatchItem<"sqlite">[], orgId: string, userIds: string[]) {
  try {
    await db.batch(asBatch(statements));
  } catch (err) {
    if (isStaleWrite(err) || isUniqueViolation(err, "memberships")) {
      throw new AppError("conflict", "Ownership or the target member changed concurrently; reload and retry.");
    }
    throw err;
  } finally {
    for (const u of userIds) forgetMembership(u, orgId);
    forgetOrg({ id: orgId });
  }
}

/**
 * Moves ownership from the current owner (a user) to another member in ONE guarded D1
 * batch: the target's roles are still those read, then the org's owner changes from
 * `fromUserId` to the target (only if it is still `fromUserId`). A concurrent transfer,
 * removal or role change aborts the whole batch; two transfers at once leave one owner.
 */
export async function transferOwnership(db: Db, orgId: string, fromUserId: string, toUserId: string, actor: Actor) {
  if (fromUserId === toUserId) throw new AppError("unprocessable", "You already own this organization.");
  const [from, to] = await Promise.all([getMember(db, orgId, fromUserId), getMember(db, orgId, toUserId)]);
  if (!from?.is_owner) throw new AppError("owner_required", "Only the organization owner can transfer ownership.");
  if (!to) throw new AppError("not_found", "The new owner must be a member of this organization.");
  const plan = transferPlan(db, orgId, from, to, actor);
  await runTransfer(db, plan.statements, orgId, [fromUserId, toUserId]);
  return { previous_owner: plan.previousOwner, owner: plan.owner };
}

/** The guarded statements of a transfer, from the members as read (exported for tests). */
export function transferPlan(db: Db, orgId: string, from: MemberView, to: MemberView, actor: Actor) {
  const fromAfter = normalizeRoles([...from.roles.filter((r) => r !== "owner"), "admin"]);
  const toAfter = normalizeRoles(["owner", ...to.roles]);
  const statements: BatchItem<"sqlite">[] = [
    unchangedMember(db, orgId, to),
    abortUnlessChanged(db),
    db
      .update(organizations)
      .set({ ownerUserId: to.user_id, updatedAt: Date.now() })
      .where(and(eq(organizations.id, orgId), eq(organizations.ownerUserId, from.user_id))),
    abortUnlessChanged(db),
    auditStatement(db, {
      orgId,
      actor,
      action: "organization.ownership_transferred",
      targetType: "member",
      targetId: to.user_id,
      before: { owner: from.user_id, roles: to.roles },
      after: { owner: to.user_id, roles: toAfter, previous_owner_roles: fromAfter },
    }),
  ];
  const previousOwner: MemberView = { ...from, roles: fromAfter, is_owner: false };
  const owner: MemberView = { ...to, roles: toAfter, is_owner: true };
  return { statements, previousOwner, owner };
}

/**
 * The partner console's hand-over: a child owned by its parent organization becomes owned
 * by one of its own members (who keeps its roles and gains `owner`). One guarded batch:
 * the member's roles are still those read, and the org is still owned by an organization.
 * Once a member owns the child, its owner transfers ownership (409 here), as in any org.
 * Audited in the child's log.
 */
export async function handOverOwnership(db: Db, orgId: string, toUserId: string, actor: Actor) {
  const [org, to] = await Promise.all([
    db
      .select({ ownerUserId: organizations.ownerUserId, ownerOrgId: organizations.ownerOrgId })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .limit(1)
      .then((rows) => rows[0]),
    getMember(db, orgId, toUserId),
  ]);
  if (!org) throw new AppError("not_found", "Organization not found.");
  if (!to) throw new AppError("not_found", "The new owner must be a member of this organization.");
  const owningOrg = org.ownerOrgId;
  if (!owningOrg) {
    throw new AppError(
      "conflict",
      "A member already owns this organization; its owner transfers ownership (POST /admin/organization/transfer-ownership).",
    );
  }
  const roles = normalizeRoles(["owner", ...to.roles]);
  await runTransfer(
    db,
    [
      unchangedMember(db, orgId, to),
      abortUnlessChanged(db),
      db
        .update(organizations)
        .set({ ownerOrgId: null, ownerUserId: to.user_id, updatedAt: Date.now() })
        .where(and(eq(organizations.id, orgId), isNotNull(organizations.ownerOrgId))),
      abortUnlessChanged(db),
      auditStatement(db, {
        orgId,
        actor,
        action: "organization.ownership_transferred",
        targetType: "member",
        targetId: to.user_id,
        before: { owner: { type: "organization", id: owningOrg }, roles: to.roles },
        after: { owner: { type: "user", id: to.user_id }, roles },
      }),
    ],
    orgId,
    [toUserId],
  );
  return {
    previous_owner: { type: "organization" as const, id: owningOrg },
    owner: { ...to, roles, is_owner: true },
  };
}
