import { and, asc, eq, gt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { memberships, users } from "../db/schema";
import { abortUnlessChanged, runGuarded } from "../db/guard";
import { cachedRead } from "../db/read-cache";
import { AppError } from "../lib/errors";
import { cursorParts, paginate } from "../lib/pagination";
import { forgetMembership } from "../auth/cache";
import { formatRoles, normalizeRoles, parseRoles } from "../auth/scopes";
import { auditStatement } from "../audit/log";
import type { Actor } from "../auth/principal";
import type { MemberView } from "./schemas";

/**
 * Members of one organization. Every function takes the org id and the actor as plain
 * inputs: the in-org routes authorise by membership, the partner console by the subtree
 * check, and both call these.
 */

type MemberRow = { userId: string; email: string; name: string | null; roles: string; createdAt: number };

function toView(r: MemberRow): MemberView {
  const roles = parseRoles(r.roles);
  return {
    user_id: r.userId,
    email: r.email,
    name: r.name,
    roles,
    is_owner: roles.includes("owner"),
    joined_at: new Date(r.createdAt).toISOString(),
  };
}

const memberColumns = {
  userId: memberships.userId,
  email: users.email,
  name: users.name,
  roles: memberships.roles,
  createdAt: memberships.createdAt,
};

/** One page of members, oldest first (cursor = join time + user id). One query, or none while cached. */
export function listMembers(db: Db, orgId: string, page: { limit: number; cursor?: string }) {
  return cachedRead(`members:${orgId}:${page.limit}:${page.cursor ?? ""}`, () => queryMembers(db, orgId, page));
}

async function queryMembers(db: Db, orgId: string, page: { limit: number; cursor?: string }) {
  const after = cursorParts(page.cursor, ["number", "string"] as const);
  const rows = await db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.orgId, orgId),
        after
          ? or(
              gt(memberships.createdAt, after[0]),
              and(eq(memberships.createdAt, after[0]), gt(memberships.userId, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(asc(memberships.createdAt), asc(memberships.userId))
    .limit(page.limit + 1);
  const p = paginate(rows, page.limit, (r) => [r.createdAt, r.userId]);
  return { data: p.data.map(toView), next_cursor: p.next_cursor };
}

export async function getMember(db: Db, orgId: string, userId: string): Promise<MemberView | null> {
  const row = (
    await db
      .select(memberColumns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .limit(1)
  )[0];
  return row ? toView(row) : null;
}

async function requireMember(db: Db, orgId: string, userId: string): Promise<MemberView> {
  const m = await getMember(db, orgId, userId);
  if (!m) throw new AppError("not_found", "No member with this user id in this organization.");
  return m;
}

/**
 * Sets a member's roles. Unknown role ids are dropped (seed 004); `owner` can be neither
 * given nor taken here (ownership moves only by transfer), so the owner's roles are
 * immutable on this path. The write is conditional on the roles read, so a concurrent
 * change makes this request fail (409) instead of silently overwriting it.
 */
export async function setRoles(
  db: Db,
  orgId: string,
  userId: string,
  requested: readonly string[],
  actor: Actor,
): Promise<MemberView> {
  const roles = normalizeRoles(requested);
  if (roles.includes("owner")) {
    throw new AppError(
      "owner_immutable",
      "Ownership cannot be granted by a role change; use POST /admin/organization/transfer-ownership.",
    );
  }
  if (roles.length === 0) {
    throw new AppError("validation_failed", "No valid role given: use admin, member or viewer.", {
      errors: [{ field: "roles", message: "at least one of admin, member, viewer" }],
    });
  }
  const current = await requireMember(db, orgId, userId);
  if (current.is_owner)
    throw new AppError("owner_immutable", "The owner's roles cannot be changed; transfer ownership first.");
  const before = formatRoles(current.roles);
  const after = formatRoles(roles);
  if (before === after) return current;
  await runGuarded(db, [
    db
      .update(memberships)
      .set({ roles: after })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId), eq(memberships.roles, before))),
    abortUnlessChanged(db),
    auditStatement(db, {
      orgId,
      actor,
      action: "member.roles_changed",
      targetType: "member",
      targetId: userId,
      before: { roles: current.roles },
      after: { roles },
    }),
  ]);
  forgetMembership(userId, orgId);
  return { ...current, roles, is_owner: false };
}

/** Removes a member (never the owner). The user account stays. */
export async function removeMember(db: Db, orgId: string, userId: string, actor: Actor): Promise<void> {
  const current = await requireMember(db, orgId, userId);
  if (current.is_owner) throw new AppError("owner_immutable", "The owner cannot be removed; transfer ownership first.");
  await deleteMembership(db, orgId, current, actor, "member.removed");
}

/** The caller leaves the organization; the owner must transfer ownership first. */
export async function leaveOrganization(db: Db, orgId: string, userId: string, actor: Actor): Promise<void> {
  const current = await requireMember(db, orgId, userId);
  if (current.is_owner)
    throw new AppError("owner_immutable", "The owner cannot leave the organization; transfer ownership first.");
  await deleteMembership(db, orgId, current, actor, "member.left");
}

async function deleteMembership(
  db: Db,
  orgId: string,
  m: MemberView,
  actor: Actor,
  action: "member.removed" | "member.left",
) {
  await runGuarded(db, [
    // is_owner = 0: an ownership transfer racing this request can never lose the owner.
    db
      .delete(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, m.user_id), eq(memberships.isOwner, 0))),
    abortUnlessChanged(db),
    auditStatement(db, {
      orgId,
      actor,
      action,
      targetType: "member",
      targetId: m.user_id,
      before: { email: m.email, roles: m.roles },
    }),
  ]);
  forgetMembership(m.user_id, orgId);
}
