import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { memberships, type OrganizationRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { findOrg } from "./org-lookup";
import { membershipCache } from "./cache";
import type { Principal } from "./principal";
import { API_KEY_FORBIDDEN, intersect, parseRoles, scopesOfRoles, withImplied, type Role, type Scope } from "./scopes";

/** The organization a request acts on, and what the caller may do there. */
export type OrgContext = {
  org: OrganizationRow;
  /** The caller's native roles in this org (empty for an org API key). */
  roles: Role[];
  /** Effective scopes: token scopes ∩ the principal's current role scopes. */
  scopes: Set<Scope>;
};

export const ORG_HEADER = "x-anyreach-org";

export async function rolesOf(db: Db, userId: string, orgId: string): Promise<Role[] | null> {
  const key = `${orgId}:${userId}`;
  const cached = membershipCache.get(key);
  if (cached !== undefined) return cached;
  const row = (
    await db
      .select({ roles: memberships.roles })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .limit(1)
  )[0];
  const roles = row ? parseRoles(row.roles) : null;
  membershipCache.set(key, roles);
  return roles;
}

/**
 * What an org API key may do in its org: its own scopes (never the forbidden ones) and, while
 * it is bound to its creator, at most what the creator may do there now — so removing or
 * demoting the creator takes the key's power with it at once (the role change forgets the
 * cached membership). A key whose creator has left has no power until an owner keeps it.
 */
async function apiKeyScopes(db: Db, key: Extract<Principal, { kind: "api_key" }>, orgId: string): Promise<Set<Scope>> {
  const own = withImplied(key.scopes.filter((s) => !API_KEY_FORBIDDEN.includes(s)));
  if (!key.boundToCreator || !key.createdBy) return own;
  const roles = await rolesOf(db, key.createdBy, orgId);
  if (!roles) {
    throw new AppError(
      "credential_revoked",
      "This API key's creator is no longer a member of the organization, so the key has no power; an owner can " +
        "keep it (POST /admin/organization-pats/{key_id}/keep) or create a new one.",
    );
  }
  const creator = withImplied(scopesOfRoles(roles));
  return new Set([...own].filter((s) => creator.has(s)));
}

/**
 * Resolves the org context from the credential and the `X-Anyreach-Org` header
 * (the `/v1/orgs/{org}/…` alias sets the same header). Returns null when the request
 * names no org and the credential carries none.
 */
export async function resolveOrgContext(
  db: Db,
  principal: Principal,
  orgRef: string | undefined,
): Promise<OrgContext | null> {
  if (principal.kind === "api_key") {
    const org = await findOrg(db, principal.orgId);
    // The key's org was deleted: the key died with it.
    if (!org) throw new AppError("credential_revoked", "The organization of this API key no longer exists.");
    if (orgRef && orgRef !== org.id && orgRef.toLowerCase() !== org.slug) {
      throw new AppError("organization_mismatch", "An org API key can only act on its own organization.");
    }
    return { org, roles: [], scopes: await apiKeyScopes(db, principal, org.id) };
  }
  if (!orgRef) return null;
  const org = await findOrg(db, orgRef);
  const roles = org ? await rolesOf(db, principal.userId, org.id) : null;
  // A missing org and an org the caller is not in look the same: never reveal other tenants.
  if (!org || !roles) throw new AppError("not_a_member", "You are not a member of this organization.");
  const roleScopes = withImplied(scopesOfRoles(roles));
  const scopes = principal.kind === "pat" ? intersect(roleScopes, withImplied(principal.scopes)) : roleScopes;
  return { org, roles, scopes };
}

export function missingOrganization(principal: Principal): AppError {
  return principal.kind === "pat"
    ? new AppError("missing_organization", "Token is missing organization claim.")
    : new AppError("missing_organization", "Name the organization with the X-Anyreach-Org header or /v1/orgs/{org}/….");
}
