import type { z } from "@hono/zod-openapi";
import type { OrgContext } from "../auth/org-context";
import { requireScope } from "../auth/guards";
import type { Db } from "../db/client";
import type { OrganizationRow } from "../db/schema";
import { requireInvitationAccess } from "../invitations/guards";

/**
 * The member and invitation routes are written once (target-routes.ts) and mounted twice:
 * on the caller's own org and, in the partner console, on an org of the caller's subtree.
 * A mount differs only in its path and in its guard, which decides the target org and
 * whether the caller may act on it; rules and errors stay in the services.
 */

/** What an operation would need in the caller's own org; a guard may authorise otherwise. */
export type Access = "members:read" | "members:manage" | "invitations";

/** The request as a guard reads it, after the route has validated it. */
export type GuardContext = {
  var: { org: OrgContext; db: Db };
  req: { param(key: string): string | undefined };
};

/** Authorises the caller for `access` on the org the route acts on, and returns that org. */
export type TargetGuard = (c: GuardContext, access: Access) => Promise<OrganizationRow>;

export type Mount = {
  /** Path before `/members` and `/invitations`. */
  prefix: string;
  /** Path parameters of `prefix`, validated and documented with each route. */
  params?: z.ZodObject<{ child_id: z.ZodString }>;
  guard: TargetGuard;
};

/** What each mount documents its own way: the tags, and each route's summary and description. */
export type MountDocs<K extends string> = {
  tags: string[];
  docs: Record<K, { summary: string; description?: string }>;
};

/** The caller's own org (`X-Anyreach-Org` or the credential): the membership scopes apply. */
export const ownOrg: TargetGuard = async (c, access) => {
  if (access === "invitations") requireInvitationAccess(c);
  else requireScope(c, access);
  return c.var.org.org;
};

export const ownOrgMount: Mount = { prefix: "/admin", guard: ownOrg };
