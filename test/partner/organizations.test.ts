import { beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { memberships } from "../../src/db/schema";
import { call, createKey, db, expectProblem, onPlan, uniq } from "../harness";
import { partnerTree, type Tree } from "./fixtures";

const P = "/admin/partner-console/organizations";
let t: Tree;
beforeAll(async () => {
  t = await partnerTree();
  // Creating child organizations needs the agency plan (issue 10).
  await onPlan(t.agency.org.id, "agency");
});

describe("GET /admin/partner-console/organizations (direct children)", () => {
  it("defaults to the caller's org and returns the seed 004 row fields plus has_children", async () => {
    const res = await call("GET", P, { token: t.agency.key });
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual([
      {
        id: t.childA.id,
        slug: t.childA.slug,
        domain: null,
        domain_setup_status: "none",
        parent_id: t.agency.org.id,
        has_children: true,
      },
      {
        id: t.childB.id,
        slug: t.childB.slug,
        domain: null,
        domain_setup_status: "none",
        parent_id: t.agency.org.id,
        has_children: true,
      },
    ]);
    expect(res.json.next_cursor).toBeNull();
  });

  it("expands a deeper node given parent_id, flagging leaves", async () => {
    const res = await call("GET", `${P}?parent_id=${t.childA.id}`, { token: t.agency.key });
    expect(res.json.data.map((r: { id: string; has_children: boolean }) => [r.id, r.has_children])).toEqual([
      [t.a1.id, true],
      [t.a2.id, false],
    ]);
  });

  it("pages with next_cursor until the last page", async () => {
    const first = await call("GET", `${P}?limit=1`, { token: t.agency.key });
    expect(first.json.data.map((r: { id: string }) => r.id)).toEqual([t.childA.id]);
    const second = await call("GET", `${P}?limit=1&cursor=${first.json.next_cursor}`, { token: t.agency.key });
    expect(second.json.data.map((r: { id: string }) => r.id)).toEqual([t.childB.id]);
    expect(second.json.next_cursor).toBeNull();
  });

  it.each(["0", "101", "abc"])("refuses limit=%s (400)", async (limit) => {
    expectProblem(await call("GET", `${P}?limit=${limit}`, { token: t.agency.key }), 400, "validation_failed");
  });

  it("refuses a cursor it did not make (400)", async () => {
    expectProblem(await call("GET", `${P}?cursor=not-a-cursor`, { token: t.agency.key }), 400, "validation_failed");
  });

  it("a child's key lists its own children by default, never its siblings'", async () => {
    const res = await call("GET", P, { token: t.childAKey });
    expect(res.json.data.map((r: { id: string }) => r.id)).toEqual([t.a1.id, t.a2.id]);
  });
});

describe("GET /admin/partner-console/organizations/search", () => {
  const S = `${P}/search`;

  it("finds a deep descendant with depth and a › breadcrumb from the caller's org", async () => {
    const res = await call("GET", `${S}?q=${t.a1xy.slug.toUpperCase()}`, { token: t.agency.key });
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual([
      {
        id: t.a1xy.id,
        slug: t.a1xy.slug,
        domain: null,
        parent_id: t.a1x.id,
        depth: 4,
        path: `${t.agency.org.slug} › ${t.childA.slug} › ${t.a1.slug} › ${t.a1x.slug} › ${t.a1xy.slug}`,
      },
    ]);
  });

  it("is rooted at the caller's own org: a child's key sees its subtree only, whatever the query says", async () => {
    const res = await call(
      "GET",
      `${S}?q=pc-&limit=100&root=${t.agency.org.id}&org_id=${t.agency.org.id}&parent_id=${t.agency.org.id}`,
      {
        token: t.childAKey,
      },
    );
    expect(res.json.data.map((r: { id: string }) => r.id).sort()).toEqual(
      [t.a1.id, t.a2.id, t.a1x.id, t.a1xy.id].sort(),
    );
    expect(res.json.data[0].path.startsWith(`${t.childA.slug} › `)).toBe(true);
    expect(res.text).not.toContain(t.childB.slug);
    expect(res.text).not.toContain(t.agency.org.slug);
  });

  it("pages through every hit exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Awaited<ReturnType<typeof call>> = await call(
        "GET",
        `${S}?q=pc-&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        { token: t.agency.key },
      );
      expect(res.status).toBe(200);
      expect(res.json.data.length).toBeLessThanOrEqual(3);
      seen.push(...res.json.data.map((r: { id: string }) => r.id));
      cursor = res.json.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([t.childA, t.childB, t.a1, t.a2, t.b1, t.a1x, t.a1xy].map((o) => o.id).sort());
  });

  it("defaults limit to 25", async () => {
    const owner = t.agency.owner;
    const many = await createKey(t.a2, { createdBy: owner.id });
    for (let i = 0; i < 27; i++) {
      const res = await call("POST", "/admin/organizations", {
        token: many.token,
        body: { name: `Leaf ${i}`, slug: uniq("leaf-"), parent_id: t.a2.id },
      });
      expect(res.status).toBe(201);
    }
    const res = await call("GET", `${S}?q=leaf-`, { token: many.token });
    expect(res.json.data).toHaveLength(25);
    expect(res.json.next_cursor).not.toBeNull();
  });

  it.each(["q=pc-&limit=0", "q=pc-&limit=101", "q=pc-&limit=abc", "q=", "q=%20%20", "limit=5"])(
    "refuses ?%s (400)",
    async (qs) => {
      expectProblem(await call("GET", `${S}?${qs}`, { token: t.agency.key }), 400, "validation_failed");
    },
  );

  it("an empty result is an empty page", async () => {
    const res = await call("GET", `${S}?q=zzz-nothing-here`, { token: t.agency.key });
    expect(res.json).toEqual({ data: [], next_cursor: null });
  });
});

describe("GET /admin/partner-console/organizations/{child_id}", () => {
  it("shows a child four levels down with its breadcrumb", async () => {
    const res = await call("GET", `${P}/${t.a1xy.id}`, { token: t.agency.key });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: t.a1xy.id,
      slug: t.a1xy.slug,
      name: t.a1xy.name,
      parent_id: t.a1x.id,
      status: "provisioning",
      depth: 4,
    });
    expect(res.json.path).toBe([t.agency.org, t.childA, t.a1, t.a1x, t.a1xy].map((o) => o.slug).join(" › "));
  });

  it("shows the caller's own org at depth 0", async () => {
    const res = await call("GET", `${P}/${t.childA.id}`, { token: t.childAKey });
    expect(res.json).toMatchObject({ id: t.childA.id, depth: 0, path: t.childA.slug });
  });

  it("does not resolve a slug (ids only), so nothing can be probed by name", async () => {
    expectProblem(await call("GET", `${P}/${t.a1.slug}`, { token: t.agency.key }), 404, "not_found");
  });
});

describe("POST /admin/organizations with parent_id (child creation)", () => {
  it("creates a child anywhere in the subtree and adds the creator as admin", async () => {
    const res = await call("POST", "/admin/organizations", {
      token: t.agency.key,
      body: { name: "Acme West", slug: uniq("acme-west-"), parent_id: t.a1x.id },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ parent_id: t.a1x.id, status: "provisioning" });
    const m = await db()
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, res.json.id), eq(memberships.userId, t.agency.owner.id)));
    expect(m[0]?.roles).toBe("admin");
    const view = await call("GET", `${P}/${res.json.id}`, { token: t.agency.key });
    expect(view.json.depth).toBe(4);
  });

  it("refuses a parent outside the subtree exactly like a nonexistent one (404)", async () => {
    const up = await call("POST", "/admin/organizations", {
      token: t.childAKey,
      body: { name: "x", parent_id: t.agency.org.id },
    });
    const ghost = await call("POST", "/admin/organizations", {
      token: t.childAKey,
      body: { name: "x", parent_id: "org_doesnotexist0000000" },
    });
    expectProblem(up, 404, "not_found");
    expect({ ...up.json, request_id: null }).toEqual({ ...ghost.json, request_id: null });
    expectProblem(
      await call("POST", "/admin/organizations", { token: t.childAKey, body: { name: "x", parent_id: t.b1.id } }),
      404,
      "not_found",
    );
  });

  it("refuses a caller without child_organizations:manage (403)", async () => {
    const weak = await createKey(t.agency.org, { scopes: ["organizations:manage"], createdBy: t.agency.owner.id });
    expectProblem(
      await call("POST", "/admin/organizations", { token: weak.token, body: { name: "x", parent_id: t.a1.id } }),
      403,
      "insufficient_scope",
    );
  });
});
