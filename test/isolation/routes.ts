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
  { method: "POST", path: (a) => `/admin/organization-pats/${a.keyId}/keep`, namesVictimObject: true },
  // members, ownership, deletion (issue 3)
  { method: "GET", path: () => "/admin/members" },
  {
    method: "PUT",
    path: (a) => `/admin/members/${a.ids.member}/roles`,
    body: () => ({ roles: ["admin"] }),
    namesVictimObject: true,
  },
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
  // Provisioning, calls and usage (issue 4).
  { method: "GET", path: () => "/admin/organization/provisioning" },
  { method: "POST", path: () => "/admin/organization/provisioning/retry" },
  { method: "POST", path: () => "/admin/calls", body: () => ({ channel: "voice", direction: "outbound" }) },
  { method: "POST", path: (a) => `/admin/calls/${a.ids.call}/heartbeat`, namesVictimObject: true },
  { method: "POST", path: (a) => `/admin/calls/${a.ids.call}/end`, namesVictimObject: true },
  {
    method: "POST",
    path: () => "/admin/calls",
    body: (a) => ({ channel: "voice", direction: "outbound", agent_id: a.ids.agent }),
    namesVictimObject: true,
  },
  { method: "GET", path: () => "/admin/concurrency" },
  {
    method: "POST",
    path: () => "/admin/usage/events",
    body: () => ({ events: [{ key: "stolen", kind: "workflow_run", outcome: "failed" }] }),
  },
  { method: "GET", path: () => "/admin/usage/summary" },
  // Org resources (issue 4).
  { method: "GET", path: () => "/admin/agents" },
  { method: "POST", path: () => "/admin/agents", body: () => ({ name: "intruder" }) },
  { method: "GET", path: (a) => `/admin/agents/${a.ids.agent}`, namesVictimObject: true },
  {
    method: "PATCH",
    path: (a) => `/admin/agents/${a.ids.agent}`,
    body: () => ({ name: "pwned" }),
    namesVictimObject: true,
  },
  { method: "DELETE", path: (a) => `/admin/agents/${a.ids.agent}`, namesVictimObject: true },
  { method: "GET", path: () => "/admin/knowledge-bases" },
  { method: "POST", path: () => "/admin/knowledge-bases", body: () => ({ name: "intruder" }) },
  { method: "DELETE", path: (a) => `/admin/knowledge-bases/${a.ids.knowledgeBase}`, namesVictimObject: true },
  { method: "GET", path: () => "/admin/phone-numbers" },
  // Custom domains and branding (issue 11).
  { method: "GET", path: () => "/admin/organization/domain" },
  {
    method: "PUT",
    path: () => "/admin/organization/domain",
    body: () => ({ domain: `intruder-${crypto.randomUUID().slice(0, 8)}.example.com` }),
  },
  { method: "POST", path: () => "/admin/organization/domain/verify" },
  { method: "DELETE", path: () => "/admin/organization/domain" },
  { method: "GET", path: () => "/admin/organization/branding" },
  { method: "PUT", path: () => "/admin/organization/branding", body: () => ({ display_name: "pwned" }) },
  { method: "DELETE", path: () => "/admin/organization/branding" },
  // Partner console: A's org and A's child are outside B's subtree.
  { method: "GET", path: () => "/admin/partner-console/organizations" },
  { method: "GET", path: (a) => `/admin/partner-console/organizations?parent_id=${a.org.id}`, namesVictimObject: true },
  {
    method: "GET",
    path: (a) => `/admin/partner-console/organizations?parent_id=${a.ids.childOrg}`,
    namesVictimObject: true,
  },
  { method: "GET", path: (a) => `/admin/partner-console/organizations/search?q=${a.ids.childOrgSlug}` },
  { method: "GET", path: (a) => `/admin/partner-console/organizations/search?q=${a.ids.childOrg}` },
  { method: "GET", path: (a) => `/admin/partner-console/organizations/${a.org.id}`, namesVictimObject: true },
  { method: "GET", path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}`, namesVictimObject: true },
  {
    method: "GET",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/members`,
    namesVictimObject: true,
  },
  {
    method: "PUT",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/members/${a.ownerId}/roles`,
    body: () => ({ roles: ["member"] }),
    namesVictimObject: true,
  },
  {
    method: "DELETE",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/members/${a.ownerId}`,
    namesVictimObject: true,
  },
  {
    method: "GET",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/invitations`,
    namesVictimObject: true,
  },
  {
    method: "POST",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/invitations`,
    body: () => ({ email: "intruder@example.com", role: "admin" }),
    namesVictimObject: true,
  },
  {
    method: "POST",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/transfer-ownership`,
    body: (a) => ({ user_id: a.ownerId }),
    namesVictimObject: true,
  },
  {
    method: "DELETE",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}`,
    body: (a) => ({ slug: a.ids.childOrgSlug }),
    namesVictimObject: true,
  },
  {
    method: "POST",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/suspend`,
    namesVictimObject: true,
  },
  {
    method: "POST",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/resume`,
    namesVictimObject: true,
  },
  {
    method: "PUT",
    path: (a) => `/admin/partner-console/organizations/${a.ids.childOrg}/billing`,
    body: () => ({ billing_mode: "own", concurrency_limit: 0 }),
    namesVictimObject: true,
  },
  { method: "GET", path: () => "/admin/partner-console/usage-summary?from=2026-10-01&to=2026-11-01" },
  {
    method: "GET",
    path: (a) =>
      `/admin/partner-console/usage-summary?from=2026-10-01&to=2026-11-01&scope=single&org_id=${a.ids.childOrg}`,
    namesVictimObject: true,
  },
  // Billing reads (issue 10).
  { method: "GET", path: () => "/admin/billing" },
  { method: "GET", path: () => "/admin/billing/plans" },
  { method: "GET", path: () => "/admin/billing/ledger" },
  // Billing: money in (issue 10).
  { method: "POST", path: () => "/admin/billing/checkout", body: () => ({ plan: "smb" }) },
  { method: "POST", path: () => "/admin/billing/top-ups", body: () => ({ amount_cents: 500 }) },
  { method: "POST", path: () => "/admin/billing/portal" },
  { method: "POST", path: () => "/admin/billing/subscription", body: () => ({ action: "cancel" }) },
];
