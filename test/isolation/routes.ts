import type { OrganizationRow } from "../../src/db/schema";

/** What the isolation suite builds for tenant A (the victim) before calling each route. */
export type VictimFixture = {
  org: OrganizationRow;
  ownerId: string;
  keyId: string;
  /** Ids of A's objects created by later capabilities (agents, invitations, …), by name. */
  ids: Record<string, string>;
};

/**
 * Every org-scoped route, described once. The suite calls each with tenant B's
 * credentials three ways (B's org API key, B's PAT naming A, B's session naming A) and
 * with B's own org context addressing A's objects, and expects 403/404 every time,
 * with no A identifier in the body. Capabilities append their routes here.
 */
export type OrgRoute = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: (a: VictimFixture) => string;
  body?: (a: VictimFixture) => unknown;
  /** True when the path names an object of A (so B's own context must 404 it). */
  namesVictimObject?: boolean;
};

export const ORG_ROUTES: OrgRoute[] = [
  { method: "GET", path: () => "/admin/organization" },
  { method: "PATCH", path: () => "/admin/organization", body: () => ({ name: "pwned" }) },
  { method: "GET", path: () => "/admin/members/me/scopes" },
  { method: "GET", path: () => "/admin/organization-pats" },
  { method: "POST", path: () => "/admin/organization-pats", body: () => ({ name: "stolen" }) },
  { method: "DELETE", path: (a) => `/admin/organization-pats/${a.keyId}`, namesVictimObject: true },
  // Partner console: A's org and A's child are outside B's subtree.
  { method: "GET", path: () => "/admin/partner-console/organizations" },
  { method: "GET", path: (a) => `/admin/partner-console/organizations?parent_id=${a.org.id}`, namesVictimObject: true },
  { method: "GET", path: (a) => `/admin/partner-console/organizations?parent_id=${a.ids.childOrg}`, namesVictimObject: true },
  { method: "GET", path: (a) => `/admin/partner-console/organizations/search?q=${a.ids.childOrgSlug}` },
  { method: "GET", path: (a) => `/admin/partner-console/organizations/search?q=${a.ids.childOrg}` },
  { method: "GET", path: (a) => `/admin/partner-console/organizations/${a.org.id}`, namesVictimObject: true },
  { method: "GET", path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}`, namesVictimObject: true },
  { method: "GET", path: () => "/admin/partner-console/usage-summary?from=2026-10-01&to=2026-11-01" },
  {
    method: "GET",
    path: (a) => `/admin/partner-console/usage-summary?from=2026-10-01&to=2026-11-01&scope=single&org_id=${a.ids.childOrg}`,
    namesVictimObject: true,
  },
];
