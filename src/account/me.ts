import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { cachedRead } from "../db/read-cache";
import { memberships, organizations, users, type OrganizationRow, type UserRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { parseRoles, type Role } from "../auth/scopes";

/**
 * The signed-in user and every organization they belong to, with their roles there: one
 * D1 round trip (the user's row repeats on each membership row; a user without any has one
 * row with no org), in the order they joined; none while cached.
 */
export function accountOf(db: Db, userId: string): Promise<Account> {
  return cachedRead(
    `account:${userId}`,
    () => queryAccount(db, userId),
    (a) => a.memberships.length <= MAX_CACHED_MEMBERSHIPS,
  );
}

/** The list is not paginated: a user in more orgs than this is read from D1 each time. */
const MAX_CACHED_MEMBERSHIPS = 100;

type Account = { user: UserRow; memberships: { org: OrganizationRow; roles: Role[] }[] };

async function queryAccount(db: Db, userId: string): Promise<Account> {
  const rows = await db
    .select({ user: users, org: organizations, roles: memberships.roles })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(users.id, userId))
    .orderBy(memberships.createdAt);
  const user = rows[0]?.user;
  if (!user) throw new AppError("invalid_credential", "The user of this credential no longer exists.");
  const joined = rows.flatMap((r) => (r.org && r.roles !== null ? [{ org: r.org, roles: parseRoles(r.roles) }] : []));
  return { user, memberships: joined };
}
