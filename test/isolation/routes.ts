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
  // members, ownership, deletion (issue 3)
  { method: "GET", path: () => "/admin/members" },
  { method: "PUT", path: (a) => `/admin/members/${a.ids.member}/roles`, body: () => ({ roles: ["admin"] }), namesVictimObject: true },
  { method: "DELETE", path: (a) => `/admin/members/${a.ids.member}`, namesVictimObject: true },
  { method: "POST", path: () => "/admin/members/me/leave" },
  { method: "POST", path: () => "/admin/organization/transfer-ownership", body: (a) => ({ user_id: a.ids.member }) },
  { method: "DELETE", path: () => "/admin/organization", body: (a) => ({ slug: a.org.slug }) },
  { method: "GET", path: () => "/admin/audit-log" },
  // invitations (issue 3)
  { method: "GET", path: () => "/admin/invitations" },
  { method: "POST", path: () => "/admin/invitations", body: () => ({ email: "intruder@example.com", role: "admin" }) },
  { method: "POST", path: (a) => `/admin/invitations/${a.ids.invitation}/resend`, namesVictimObject: true },
  { method: "DELETE", path: (a) => `/admin/invitations/${a.ids.invitation}`, namesVictimObject: true },
];
