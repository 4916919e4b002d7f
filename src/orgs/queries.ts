import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations, orgSlugHistory, memberships, type OrganizationRow } from "../db/schema";
import { orgCache } from "../auth/cache";

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

/**
 * Finds an organization by id (`org_…`) or slug, following renamed slugs during their
 * grace period. Cached per isolate (see auth/cache.ts).
 */
export async function findOrg(db: Db, ref: string): Promise<OrganizationRow | null> {
  const key = ref.startsWith("org_") ? `id:${ref}` : `slug:${ref.toLowerCase()}`;
  const cached = orgCache.get(key);
  if (cached !== undefined) return cached;
  let row: OrganizationRow | undefined;
  if (ref.startsWith("org_")) {
    row = (await db.select().from(organizations).where(eq(organizations.id, ref)).limit(1))[0];
  } else {
    const slug = ref.toLowerCase();
    const [live, old] = await db.batch([
      db.select().from(organizations).where(eq(organizations.slug, slug)).limit(1),
      db
        .select({ org: organizations })
        .from(orgSlugHistory)
        .innerJoin(organizations, eq(organizations.id, orgSlugHistory.orgId))
        .where(and(eq(orgSlugHistory.slug, slug), gt(orgSlugHistory.expiresAt, Date.now())))
        .limit(1),
    ]);
    row = live[0] ?? old[0]?.org;
  }
  orgCache.set(key, row ?? null);
  return row ?? null;
}

export async function listMembershipsOfUser(db: Db, userId: string) {
  return db
    .select({ org: organizations, roles: memberships.roles, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt);
}
