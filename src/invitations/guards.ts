import type { OrgContext } from "../auth/org-context";
import { AppError } from "../lib/errors";

/** Members see the member list but not invitations: a 403 that says so. */
export function requireInvitationAccess(c: { var: { org: OrgContext } }): void {
  if (!c.var.org.scopes.has("members:manage")) {
    throw new AppError(
      "insufficient_scope",
      "Only owners and admins can see and manage invitations (scope members:manage).",
    );
  }
}
