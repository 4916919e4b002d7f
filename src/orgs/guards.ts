import type { OrgContext } from "../auth/org-context";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import type { OrganizationRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { requireScope } from "../auth/guards";
import { missingOrganization } from "../auth/org-context";
import { isDescendantOf } from "../db/tree";

/** The context of a route where the organization is optional (org creation). */
type MaybeInOrg = { var: { org?: OrgContext; principal: Principal; db: Db } };

/** Refuses the request unless it acts in an organization; afterwards `c.var.org` is typed as set. */
export function requireOrg<C extends MaybeInOrg>(c: C): asserts c is C & { var: { org: OrgContext } } {
  if (!c.var.org) throw missingOrganization(c.var.principal);
}

/**
 * The partner rule for creating a child: the caller acts in an org (its own), holds
 * `child_organizations:manage` there, and `parentId` is that org or a descendant of it.
 * A parent outside the subtree is refused exactly like one that does not exist.
 */
export async function authorizeParent(c: MaybeInOrg, parentId: string): Promise<void> {
  requireOrg(c);
  requireScope(c, "child_organizations:manage");
  if (!(await isDescendantOf(c.var.db, c.var.org.org.id, parentId))) {
    throw new AppError("not_found", "Parent organization not found.");
  }
}

/**
 * Owner-only powers (deletion, ownership transfer) of a child its parent organization owns
 * belong to the partners above it: no member of the child holds them.
 */
export function refuseWhenOwnedByParent(org: OrganizationRow): void {
  if (org.ownerOrgId) {
    throw new AppError(
      "owner_required",
      "This organization is owned by its parent organization: a partner there deletes it or hands its ownership " +
        "to a member (/admin/partner-console/organizations/{child_id}).",
    );
  }
}
