import type { OrgContext } from "../auth/org-context";
import type { Db } from "../db/client";
import type { OrganizationRow } from "../db/schema";
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
 * The partner checks for an action on an org strictly below the caller's (deleting it,
 * handing over its ownership, suspending or resuming it): those of `requireInSubtree`, then
 * the caller's own org is refused with a 403 — an org is never its own partner, and its own
 * owner-only powers stay with its owner (/admin/organization…). Returns the root and the org.
 */
export async function requireBelow(
  c: { var: { org: OrgContext; db: Db } },
  targetId: string,
): Promise<{ root: string; target: OrganizationRow }> {
  const root = await requireInSubtree(c, targetId);
  if (targetId === root) {
    throw new AppError("forbidden", "The partner console acts on the organizations below yours, not on your own.");
  }
  const target = await findOrg(c.var.db, targetId);
  if (!target) throw orgNotFound();
  return { root, target };
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
