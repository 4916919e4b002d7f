import { describe, expect, it } from "vitest";
import { addMember, call, createOrg, createUser, expectProblem, uniq } from "../harness";

const cookie = (session: string) => ({ cookie: `anyreach_session=${session}` });

describe("the session cookie and cross-site requests (CSRF)", () => {
  it("a cross-site POST carrying only the cookie is refused and changes nothing", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const member = await createUser();
    await addMember(org, member, ["member"]);
    const forged = await call("POST", "/admin/members/me/leave", {
      org: org.id,
      headers: { ...cookie(member.session), origin: "https://evil.example" },
    });
    expectProblem(forged, 403, "cross_site_request");
    // No Origin and a cross-site fetch: refused too.
    const noOrigin = await call("POST", "/admin/members/me/leave", {
      org: org.id,
      headers: { ...cookie(member.session), "sec-fetch-site": "cross-site" },
    });
    expectProblem(noOrigin, 403, "cross_site_request");
    const bare = await call("POST", "/admin/members/me/leave", { org: org.id, headers: cookie(member.session) });
    expectProblem(bare, 403, "cross_site_request");
    const members = await call("GET", "/admin/members", { token: owner.session, org: org.id });
    expect(members.json.data.map((m: { user_id: string }) => m.user_id)).toContain(member.id);
  });

  it("the same request from the product's own origin goes through", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const member = await createUser();
    await addMember(org, member, ["member"]);
    const res = await call("POST", "/admin/members/me/leave", {
      org: org.id,
      headers: { ...cookie(member.session), origin: "http://api.test" },
    });
    expect(res.status).toBe(204);
  });

  it("reads with the cookie need no Origin, and bearer credentials are not checked for it", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    expect((await call("GET", "/admin/me", { headers: cookie(owner.session) })).status).toBe(200);
    const res = await call("POST", "/admin/organizations", {
      token: owner.session,
      body: { name: "x", slug: uniq("csrf") },
      headers: { origin: "https://elsewhere.example" },
    });
    expect(res.status).toBe(201);
    expect(org.id).toBeTruthy();
  });
});

describe("responses that may carry secrets", () => {
  it("API answers, new tokens and keys among them, are sent with Cache-Control: no-store", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const pat = await call("POST", "/admin/account/tokens", { token: owner.session, body: { name: "ci" } });
    expect(pat.status).toBe(201);
    expect(pat.headers.get("cache-control")).toBe("no-store");
    const key = await call("POST", "/admin/organization-pats", {
      token: owner.session,
      org: org.id,
      body: { name: "k" },
    });
    expect(key.status).toBe(201);
    expect(key.headers.get("cache-control")).toBe("no-store");
    const problem = await call("GET", "/admin/organization", { token: owner.session });
    expect(problem.headers.get("cache-control")).toBe("no-store");
  });
});
