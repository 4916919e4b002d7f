import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations, orgSlugHistory, type OrganizationRow } from "../db/schema";
import { orgCache } from "./cache";

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
