import type { OrgContext } from "../auth/org-context";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { requireScope } from "../auth/guards";
import { findOrg } from "../auth/org-lookup";
import { isDescendantOf } from "../db/tree";
import type { TargetGuard } from "../members/target-guards";

/** The one answer for a target outside the caller's subtree and for one that does not exist. */
export const orgNotFound = () => new AppError("not_found", "Organization not found.");

/**
 * The partner-console checks, in order: authenticated (middleware), holds
 * `child_organizations:manage` in the caller's org, which is read from the credential
 * and never from a parameter. Returns that org's id, the root of everything the caller
 * may reach.
 */
export function partnerRoot(c: { var: { org: OrgContext; db: Db } }): string {
  requireScope(c, "child_organizations:manage");
  return c.var.org.org.id;
}

/**
 * The partner checks for a route that names a target org: the target is the caller's org
 * or a descendant. Anything else is a 404 indistinguishable from a nonexistent id.
 */
export async function requireInSubtree(c: { var: { org: OrgContext; db: Db } }, targetId: string): Promise<string> {
  const root = partnerRoot(c);
  if (!(await isDescendantOf(c.var.db, root, targetId))) throw orgNotFound();
  return root;
}

/**
 * The guard of the member and invitation routes mounted on `{child_id}`: the partner
 * checks replace the membership scopes the same routes need in the caller's own org.
 */
export const childOrg: TargetGuard = async (c) => {
  const childId = c.req.param("child_id");
  if (!childId) throw orgNotFound();
  await requireInSubtree(c, childId);
  const child = await findOrg(c.var.db, childId);
  if (!child) throw orgNotFound();
  return child;
};
