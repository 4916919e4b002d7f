import { uniq } from "../harness";
import { ensureMember, type Tree } from "./fixtures";

/** Every partner-console route, described once for the shared checks in auth.test.ts. */
export type PartnerRoute = {
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The path with `target` as the org the request acts on (where the route names one). */
  path: (t: Tree, target: string) => string;
  body?: (t: Tree) => unknown;
  /** Runs before each call that should succeed (e.g. puts back the member a DELETE removes). */
  before?: (t: Tree, target: string) => Promise<void>;
  /** True when the request names a target org, so the subtree check applies. */
  takesTarget: boolean;
  okStatus?: number;
};

const P = "/admin/partner-console";
const WINDOW = "from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z";

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
];
