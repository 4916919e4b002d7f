import { env } from "cloudflare:workers";
import { createOrg, uniq } from "../harness";
import { ensureMember, type Tree } from "./fixtures";

/** Every partner-console route, described once for the shared checks in auth.test.ts. */
export type PartnerRoute = {
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The path with `target` as the org the request acts on (where the route names one). */
  path: (t: Tree, target: string) => string;
  body?: (t: Tree, target: string) => unknown;
  /** Runs before each call that should succeed (e.g. puts back the member a DELETE removes). */
  before?: (t: Tree, target: string) => Promise<void>;
  /**
   * For a route that changes its target for good (delete, hand over, suspend): a new org
   * below a1x for each call that should succeed, instead of a1x itself.
   */
  fresh?: (t: Tree) => Promise<string>;
  /** True when the request names a target org, so the subtree check applies. */
  takesTarget: boolean;
  okStatus?: number;
};

const P = "/admin/partner-console";
const WINDOW = "from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z";

/** Slugs of the orgs `fresh` made, for the deletion's confirmation. */
const freshSlugs = new Map<string, string>();

/** A new leaf below a1x (owned by a1x, `t.spare` a member), `status` as given. */
const freshLeaf = (status: "active" | "suspended" | null) => async (t: Tree) => {
  const org = await createOrg(t.agency.owner, { parentId: t.a1x.id, slug: uniq("pc-fresh-") });
  freshSlugs.set(org.id, org.slug);
  await ensureMember(org.id, t.spare, ["member"]);
  if (status) await env.DB.prepare("UPDATE organizations SET status = ? WHERE id = ?").bind(status, org.id).run();
  return org.id;
};

export const PARTNER_ROUTES: PartnerRoute[] = [
  { name: "list children", method: "GET", path: (_, id) => `${P}/organizations?parent_id=${id}`, takesTarget: true },
  { name: "search descendants", method: "GET", path: () => `${P}/organizations/search?q=pc-`, takesTarget: false },
  { name: "view a child", method: "GET", path: (_, id) => `${P}/organizations/${id}`, takesTarget: true },
  {
    name: "list a child's members",
    method: "GET",
    path: (_, id) => `${P}/organizations/${id}/members`,
    takesTarget: true,
  },
  {
    name: "set a child member's roles",
    method: "PUT",
    path: (t, id) => `${P}/organizations/${id}/members/${t.spare.id}/roles`,
    body: () => ({ roles: ["member", "no-such-role"] }),
    before: (t, id) => ensureMember(id, t.spare, ["member"]),
    takesTarget: true,
  },
  {
    name: "remove a child member",
    method: "DELETE",
    path: (t, id) => `${P}/organizations/${id}/members/${t.spare.id}`,
    before: (t, id) => ensureMember(id, t.spare, ["member"]),
    takesTarget: true,
    okStatus: 204,
  },
  {
    name: "list a child's invitations",
    method: "GET",
    path: (_, id) => `${P}/organizations/${id}/invitations`,
    takesTarget: true,
  },
  {
    name: "invite to a child",
    method: "POST",
    path: (_, id) => `${P}/organizations/${id}/invitations`,
    body: () => ({ email: `${uniq("invitee")}@example.com`, role: "member" }),
    takesTarget: true,
    okStatus: 201,
  },
  { name: "usage summary (scope=all)", method: "GET", path: () => `${P}/usage-summary?${WINDOW}`, takesTarget: false },
  {
    name: "usage summary (scope=single)",
    method: "GET",
    path: (_, id) => `${P}/usage-summary?${WINDOW}&scope=single&org_id=${id}`,
    takesTarget: true,
  },
  // What a partner does to an org below its own (issue 9, items 7 and 10).
  {
    name: "hand over a child's ownership",
    method: "POST",
    path: (_, id) => `${P}/organizations/${id}/transfer-ownership`,
    body: (t) => ({ user_id: t.spare.id }),
    fresh: freshLeaf(null),
    takesTarget: true,
  },
  {
    name: "delete a leaf child",
    method: "DELETE",
    path: (_, id) => `${P}/organizations/${id}`,
    body: (_, id) => ({ slug: freshSlugs.get(id) ?? "not-the-slug" }),
    fresh: freshLeaf(null),
    takesTarget: true,
    okStatus: 204,
  },
  {
    name: "suspend a child",
    method: "POST",
    path: (_, id) => `${P}/organizations/${id}/suspend`,
    fresh: freshLeaf("active"),
    takesTarget: true,
  },
  {
    name: "resume a child",
    method: "POST",
    path: (_, id) => `${P}/organizations/${id}/resume`,
    fresh: freshLeaf("suspended"),
    takesTarget: true,
  },
];
