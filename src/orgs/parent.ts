import type { OrgContext } from "../auth/org-context";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { requireScope } from "../auth/guards";
import { missingOrganization } from "../auth/org-context";
import { isDescendantOf } from "../db/tree";

/**
 * The partner rule for creating a child: the caller acts in an org (its own), holds
 * `child_organizations:manage` there, and `parentId` is that org or a descendant of it.
 * A parent outside the subtree is refused exactly like one that does not exist.
 */
export async function authorizeParent(
  c: { var: { org?: OrgContext; principal: Principal; db: Db } },
  parentId: string,
): Promise<void> {
  const ctx = c.var.org;
  if (!ctx) throw missingOrganization(c.var.principal);
  requireScope({ var: { org: ctx } }, "child_organizations:manage");
  if (!(await isDescendantOf(c.var.db, ctx.org.id, parentId))) {
    throw new AppError("not_found", "Parent organization not found.");
  }
}
