import { beforeAll, describe, expect, it } from "vitest";
import { addMember, call, createKey, createUser, expectProblem } from "../harness";
import { partnerTree, type Tree } from "./fixtures";

/**
 * The member and invitation routes are defined once and mounted twice: on the caller's
 * own org (/admin/…) and on a child of the partner console. Only the path, the docs and
 * the guard differ.
 */
const P = "/admin/partner-console/organizations/{child_id}";
const MOUNTED_TWICE: [method: string, inOrg: string, partner: string][] = [
  ["get", "/admin/members", `${P}/members`],
  ["put", "/admin/members/{user_id}/roles", `${P}/members/{user_id}/roles`],
  ["delete", "/admin/members/{user_id}", `${P}/members/{user_id}`],
  ["get", "/admin/invitations", `${P}/invitations`],
  ["post", "/admin/invitations", `${P}/invitations`],
];

type Parameter = { in: string; name: string };
type Operation = {
  "x-org-context"?: string;
  parameters?: Parameter[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};

describe("one set of member and invitation routes, mounted twice", () => {
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    paths = (await call("GET", "/openapi.json")).json.paths;
  });

  it.each(MOUNTED_TWICE)("%s %s and its partner-console mount take and answer the same schemas", (method, a, b) => {
    const inOrg = paths[a]?.[method];
    const partner = paths[b]?.[method];
    if (!inOrg || !partner) throw new Error(`${method} ${a} or ${b} is not documented`);
    expect(partner.requestBody).toEqual(inOrg.requestBody);
    expect(partner.responses).toEqual(inOrg.responses);
    const notPath = (ps: Parameter[] = []) => ps.filter((p) => p.in !== "path");
    expect(notPath(partner.parameters)).toEqual(notPath(inOrg.parameters));
    const pathNames = (ps: Parameter[] = []) => ps.filter((p) => p.in === "path").map((p) => p.name);
    expect(pathNames(partner.parameters)).toEqual(["child_id", ...pathNames(inOrg.parameters)]);
    expect([inOrg["x-org-context"], partner["x-org-context"]]).toEqual(["required", "required"]);
  });
});

describe("both mounts validate the request before they authorise it", () => {
  let t: Tree;
  beforeAll(async () => {
    t = await partnerTree();
  });

  it("a partner key naming an org outside its subtree with an invalid body is a 400", async () => {
    const res = await call("PUT", `/admin/partner-console/organizations/${t.stranger.org.id}/members/x/roles`, {
      token: t.agency.key,
      body: { roles: [] },
    });
    expectProblem(res, 400, "validation_failed");
  });

  it("a key without child_organizations:manage sending an invalid invitation is a 400", async () => {
    const weak = await createKey(t.agency.org, { scopes: ["members:read"], createdBy: t.agency.owner.id });
    const res = await call("POST", `/admin/partner-console/organizations/${t.a1.id}/invitations`, {
      token: weak.token,
      body: { email: "nope", role: "member" },
    });
    expectProblem(res, 400, "validation_failed");
  });

  it("a viewer of its own org sending an invalid role list is a 400, a valid one a 403", async () => {
    const viewer = await createUser();
    await addMember(t.agency.org, viewer, ["viewer"]);
    const path = `/admin/members/${t.agency.owner.id}/roles`;
    const as = { token: viewer.session, org: t.agency.org.id };
    expectProblem(await call("PUT", path, { ...as, body: { roles: [] } }), 400, "validation_failed");
    expectProblem(await call("PUT", path, { ...as, body: { roles: ["member"] } }), 403, "insufficient_scope");
  });
});
