import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { memberships } from "../db/schema";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { asBatch } from "../db/batch";
import { AppError } from "../lib/errors";
import { forgetMembership } from "../auth/cache";
import { formatRoles, normalizeRoles } from "../auth/scopes";
import { isUniqueViolation } from "../orgs/service";
import { auditStatement } from "../audit/log";
import type { Actor } from "../auth/principal";
import type { MemberView } from "./schemas";
import { getMember } from "./service";

/**
 * Moves ownership from the current owner to another member in ONE D1 batch whose order
 * keeps the one-owner unique index true at every step:
 *   1. the old owner loses `owner` and gains `admin` (only if still the owner),
 *   2. the target gains `owner`, keeping its other roles (only if its roles are as read).
 * Each step is guarded, so a concurrent transfer, removal or role change aborts the whole
 * batch; two transfers at once leave exactly one owner.
 */
export async function transferOwnership(db: Db, orgId: string, fromUserId: string, toUserId: string, actor: Actor) {
  if (fromUserId === toUserId) throw new AppError("unprocessable", "You already own this organization.");
  const [from, to] = await Promise.all([getMember(db, orgId, fromUserId), getMember(db, orgId, toUserId)]);
  if (!from?.is_owner) throw new AppError("owner_required", "Only the organization owner can transfer ownership.");
  if (!to) throw new AppError("not_found", "The new owner must be a member of this organization.");
  const plan = transferPlan(db, orgId, from, to, actor);
  try {
    await db.batch(asBatch(plan.statements));
  } catch (err) {
    if (isStaleWrite(err) || isUniqueViolation(err, "memberships")) {
      throw new AppError("conflict", "Ownership or the target member changed concurrently; reload and retry.");
    }
    throw err;
  } finally {
    forgetMembership(fromUserId, orgId);
    forgetMembership(toUserId, orgId);
  }
  return { previous_owner: plan.previousOwner, owner: plan.owner };
}

/** The guarded statements of a transfer, from the members as read (exported for tests). */
export function transferPlan(db: Db, orgId: string, from: MemberView, to: MemberView, actor: Actor) {
  const fromAfter = normalizeRoles([...from.roles.filter((r) => r !== "owner"), "admin"]);
  const toAfter = normalizeRoles(["owner", ...to.roles]);
  const statements: BatchItem<"sqlite">[] = [
    db
      .update(memberships)
      .set({ roles: formatRoles(fromAfter) })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, from.user_id), eq(memberships.isOwner, 1))),
    abortUnlessChanged(db),
    db
      .update(memberships)
      .set({ roles: formatRoles(toAfter) })
      .where(
        and(
          eq(memberships.orgId, orgId),
          eq(memberships.userId, to.user_id),
          eq(memberships.roles, formatRoles(to.roles)),
        ),
      ),
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
