import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users, type OrganizationRow, type UserRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { parseRoles, type Role } from "../auth/scopes";
import { listMembershipsOfUser } from "../orgs/queries";

/** The signed-in user and every organization they belong to, with their roles there. */
export async function accountOf(
  db: Db,
  userId: string,
): Promise<{ user: UserRow; memberships: { org: OrganizationRow; roles: Role[] }[] }> {
  const [userRows, rows] = await Promise.all([
    db.select().from(users).where(eq(users.id, userId)).limit(1),
    listMembershipsOfUser(db, userId),
  ]);
  const user = userRows[0];
  if (!user) throw new AppError("invalid_credential", "The user of this credential no longer exists.");
  return { user, memberships: rows.map((r) => ({ org: r.org, roles: parseRoles(r.roles) })) };
}
