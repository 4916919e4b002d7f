import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations, orgSlugHistory, memberships } from "../db/schema";

/** True when the slug belongs to no organization and to no renamed slug still in grace. */
export async function isSlugFree(db: Db, slug: string, exceptOrgId?: string): Promise<boolean> {
  const [live, old] = await db.batch([
    db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug)).limit(1),
    db
      .select({ orgId: orgSlugHistory.orgId })
      .from(orgSlugHistory)
      .where(and(eq(orgSlugHistory.slug, slug), gt(orgSlugHistory.expiresAt, Date.now())))
      .limit(1),
  ]);
  const owner = live[0]?.id ?? old[0]?.orgId;
  return owner === undefined || owner === exceptOrgId;
}

export async function listMembershipsOfUser(db: Db, userId: string) {
  return db
    .select({ org: organizations, roles: memberships.roles, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt);
}
