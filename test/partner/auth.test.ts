import { beforeAll, describe, expect, it } from "vitest";
import { addMember, call, createKey, createPat, createUser, expectProblem } from "../harness";
import { partnerTree, type Tree } from "./fixtures";
import { PARTNER_ROUTES } from "./routes";

/**
 * The three checks of seed 004 on every partner-console route: authenticated, holds
 * child_organizations:manage, target in the caller's subtree (refused exactly like an id
 * that does not exist).
 */
let t: Tree;
/** One PAT for every route: the agency owner is one user, and PATs per user are a quota. */
let agencyPat: string;
beforeAll(async () => {
  t = await partnerTree();
  agencyPat = await createPat(t.agency.owner);
});

describe.each(PARTNER_ROUTES)("$method $name", (route) => {
  it("answers the agency's org API key for a target in its subtree", async () => {
    const target = (await route.fresh?.(t)) ?? t.a1x.id;
    await route.before?.(t, target);
    const res = await call(route.method, route.path(t, target), { token: t.agency.key, body: route.body?.(t, target) });
    expect(res.status, res.text).toBe(route.okStatus ?? 200);
  });

  it("refuses a request without a credential (401)", async () => {
    expectProblem(
      await call(route.method, route.path(t, t.a1x.id), { body: route.body?.(t, t.a1x.id) }),
      401,
      "unauthenticated",
    );
  });

  it("refuses a key without child_organizations:manage (403)", async () => {
    const weak = await createKey(t.agency.org, {
      scopes: ["organizations:read", "members:read"],
      createdBy: t.agency.owner.id,
    });
    expectProblem(
      await call(route.method, route.path(t, t.a1x.id), { token: weak.token, body: route.body?.(t, t.a1x.id) }),
      403,
      "insufficient_scope",
    );
  });

  it("refuses a plain member's session (403)", async () => {
    const member = await createUser();
    await addMember(t.agency.org, member, ["member"]);
    const res = await call(route.method, route.path(t, t.a1x.id), {
      token: member.session,
      org: t.agency.org.id,
      body: route.body?.(t, t.a1x.id),
    });
    expectProblem(res, 403, "insufficient_scope");
  });

  it("answers a PAT that names the org with X-Anyreach-Org", async () => {
    const pat = agencyPat;
    const target = (await route.fresh?.(t)) ?? t.a1x.id;
    await route.before?.(t, target);
    const res = await call(route.method, route.path(t, target), {
      token: pat,
      org: t.agency.org.id,
      body: route.body?.(t, target),
    });
    expect(res.status, res.text).toBe(route.okStatus ?? 200);
  });

  it("refuses a PAT without X-Anyreach-Org (401 'Token is missing organization claim.')", async () => {
    const pat = agencyPat;
    const res = await call(route.method, route.path(t, t.a1x.id), { token: pat, body: route.body?.(t, t.a1x.id) });
    expectProblem(res, 401, "missing_organization");
    expect(res.json.detail).toBe("Token is missing organization claim.");
  });

  it("refuses an ak_ of a child naming its parent in X-Anyreach-Org (403)", async () => {
    const res = await call(route.method, route.path(t, t.a1x.id), {
      token: t.childAKey,
      org: t.agency.org.id,
      body: route.body?.(t, t.a1x.id),
    });
    expectProblem(res, 403, "organization_mismatch");
  });

  if (!route.takesTarget) return;

  it("refuses an ak_ of a child climbing to its parent, like a nonexistent org (404)", async () => {
    const up = await call(route.method, route.path(t, t.agency.org.id), {
      token: t.childAKey,
      body: route.body?.(t, t.a1x.id),
    });
    const ghost = await call(route.method, route.path(t, "org_doesnotexist0000000"), {
      token: t.childAKey,
      body: route.body?.(t, t.a1x.id),
    });
    expectProblem(up, 404, "not_found");
    expect({ ...up.json, request_id: null }).toEqual({ ...ghost.json, request_id: null });
  });

  it("refuses a sibling's subtree (404)", async () => {
    expectProblem(
      await call(route.method, route.path(t, t.b1.id), { token: t.childAKey, body: route.body?.(t, t.a1x.id) }),
      404,
      "not_found",
    );
    expectProblem(
      await call(route.method, route.path(t, t.childB.id), { token: t.childAKey, body: route.body?.(t, t.a1x.id) }),
      404,
      "not_found",
    );
  });

  it("refuses another tenant's org exactly like a nonexistent one (404)", async () => {
    const other = await call(route.method, route.path(t, t.stranger.org.id), {
      token: t.agency.key,
      body: route.body?.(t, t.a1x.id),
    });
    const ghost = await call(route.method, route.path(t, "org_doesnotexist0000000"), {
      token: t.agency.key,
      body: route.body?.(t, t.a1x.id),
    });
    expectProblem(other, 404, "not_found");
    expect({ ...other.json, request_id: null }).toEqual({ ...ghost.json, request_id: null });
    expect(other.text).not.toContain(t.stranger.org.slug);
  });
});
