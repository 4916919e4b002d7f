import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { breadcrumbOf, breadcrumbsOf, childrenOf, isDescendantOf, searchDescendants } from "../../src/db/tree";
import { updateOrganizationSettings } from "../../src/orgs/settings";
import { createOrg, createUser, db, defined, SYSTEM_ACTOR, uniq } from "../harness";
import { partnerTree, type Tree } from "../partner/fixtures";

let t: Tree;
beforeAll(async () => {
  t = await partnerTree();
});

describe("isDescendantOf", () => {
  it("an org is in its own subtree", async () => {
    expect(await isDescendantOf(db(), t.agency.org.id, t.agency.org.id)).toBe(true);
  });

  it("finds a target four levels down", async () => {
    expect(await isDescendantOf(db(), t.agency.org.id, t.a1xy.id)).toBe(true);
    expect(await isDescendantOf(db(), t.childA.id, t.a1xy.id)).toBe(true);
  });

  it("a parent is not in its child's subtree", async () => {
    expect(await isDescendantOf(db(), t.childA.id, t.agency.org.id)).toBe(false);
  });

  it("a sibling's subtree is outside", async () => {
    expect(await isDescendantOf(db(), t.childA.id, t.b1.id)).toBe(false);
    expect(await isDescendantOf(db(), t.childB.id, t.a1.id)).toBe(false);
  });

  it("another tenant and a nonexistent id are outside", async () => {
    expect(await isDescendantOf(db(), t.agency.org.id, t.stranger.org.id)).toBe(false);
    expect(await isDescendantOf(db(), t.agency.org.id, "org_doesnotexist")).toBe(false);
  });
});

describe("breadcrumbOf", () => {
  it("lists slugs from the root down to a node at depth 4", async () => {
    expect(await breadcrumbOf(db(), t.agency.org.id, t.a1xy.id)).toEqual([
      t.agency.org.slug,
      t.childA.slug,
      t.a1.slug,
      t.a1x.slug,
      t.a1xy.slug,
    ]);
  });

  it("starts at the given root, never above it", async () => {
    expect(await breadcrumbOf(db(), t.a1.id, t.a1xy.id)).toEqual([t.a1.slug, t.a1x.slug, t.a1xy.slug]);
  });

  it("is null for a node outside the root's subtree", async () => {
    expect(await breadcrumbOf(db(), t.childA.id, t.b1.id)).toBeNull();
    expect(await breadcrumbOf(db(), t.childA.id, t.agency.org.id)).toBeNull();
    expect(await breadcrumbOf(db(), t.childA.id, "org_nope")).toBeNull();
  });

  it("answers many nodes in one walk, leaving out those outside", async () => {
    const m = await breadcrumbsOf(db(), t.childA.id, [t.a2.id, t.a1x.id, t.b1.id]);
    expect([...m.keys()].sort()).toEqual([t.a2.id, t.a1x.id].sort());
    expect(m.get(t.a1x.id)).toEqual([t.childA.slug, t.a1.slug, t.a1x.slug]);
  });
});

describe("childrenOf", () => {
  it("returns direct children only, with has_children", async () => {
    const rows = await childrenOf(db(), t.agency.org.id, { limit: 10 });
    expect(rows.map((r) => r.id)).toEqual([t.childA.id, t.childB.id]);
    expect(rows.every((r) => r.has_children)).toBe(true);
    const leaves = await childrenOf(db(), t.childA.id, { limit: 10 });
    expect(leaves.map((r) => [r.id, r.has_children])).toEqual([
      [t.a1.id, true],
      [t.a2.id, false],
    ]);
    expect(leaves[0]).toMatchObject({
      slug: t.a1.slug,
      parent_id: t.childA.id,
      domain: null,
      domain_setup_status: "none",
    });
  });

  it("pages by id after a cursor", async () => {
    const first = await childrenOf(db(), t.agency.org.id, { limit: 1 });
    const second = await childrenOf(db(), t.agency.org.id, { limit: 1, afterId: defined(first[0]).id });
    expect([defined(first[0]).id, defined(second[0]).id]).toEqual([t.childA.id, t.childB.id]);
    expect(await childrenOf(db(), t.agency.org.id, { limit: 1, afterId: t.childB.id })).toEqual([]);
  });
});

describe("searchDescendants", () => {
  it("matches a slug substring case-insensitively, with depth and a › path", async () => {
    const hits = await searchDescendants(db(), t.agency.org.id, t.a1xy.slug.slice(0, -2).toUpperCase(), { limit: 10 });
    const hit = defined(hits.find((h) => h.id === t.a1xy.id));
    expect(hit).toMatchObject({ slug: t.a1xy.slug, parent_id: t.a1x.id, depth: 4 });
    expect(hit.path).toBe([t.agency.org.slug, t.childA.slug, t.a1.slug, t.a1x.slug, t.a1xy.slug].join(" › "));
  });

  it("matches an id substring", async () => {
    const hits = await searchDescendants(db(), t.agency.org.id, t.b1.id.slice(4).toUpperCase(), { limit: 10 });
    expect(hits.map((h) => h.id)).toEqual([t.b1.id]);
  });

  it("never returns the root itself nor anything outside its subtree", async () => {
    const fromA = await searchDescendants(db(), t.childA.id, "-", { limit: 100 });
    expect(fromA.map((h) => h.id).sort()).toEqual([t.a1.id, t.a2.id, t.a1x.id, t.a1xy.id].sort());
    expect(await searchDescendants(db(), t.childA.id, t.stranger.org.slug, { limit: 10 })).toEqual([]);
  });

  it("pages in tree order after a position", async () => {
    const all = await searchDescendants(db(), t.agency.org.id, "-", { limit: 100 });
    expect(all).toHaveLength(7);
    const first = await searchDescendants(db(), t.agency.org.id, "-", { limit: 3 });
    const rest = await searchDescendants(db(), t.agency.org.id, "-", { limit: 100, after: defined(first[2]).position });
    expect([...first, ...rest].map((h) => h.id)).toEqual(all.map((h) => h.id));
    // Pre-order: every node comes before its descendants.
    const order = all.map((h) => h.id);
    expect(order.indexOf(t.a1.id)).toBeLessThan(order.indexOf(t.a1x.id));
    expect(order.indexOf(t.a1x.id)).toBeLessThan(order.indexOf(t.a1xy.id));
  });

  it("follows a slug rename (the index is kept in step)", async () => {
    const owner = await createUser();
    const root = await createOrg(owner);
    const child = await createOrg(owner, { parentId: root.id, slug: uniq("before") });
    const renamed = uniq("renamed");
    await updateOrganizationSettings(db(), child, { slug: renamed }, SYSTEM_ACTOR);
    expect((await searchDescendants(db(), root.id, renamed, { limit: 5 })).map((h) => h.slug)).toEqual([renamed]);
  });
});

describe("the database refuses a malformed tree", () => {
  it("refuses to change parent_id (so no cycle can form)", async () => {
    await expect(
      env.DB.prepare("UPDATE organizations SET parent_id = ? WHERE id = ?").bind(t.a1xy.id, t.childA.id).run(),
    ).rejects.toThrow(/parent_immutable/);
    // The would-be cycle childA → a1xy → … → childA was not written.
    expect(await isDescendantOf(db(), t.childA.id, t.a1xy.id)).toBe(true);
    expect(await isDescendantOf(db(), t.a1xy.id, t.childA.id)).toBe(false);
  });

  it("refuses to detach an org from its parent", async () => {
    await expect(
      env.DB.prepare("UPDATE organizations SET parent_id = NULL WHERE id = ?").bind(t.b1.id).run(),
    ).rejects.toThrow(/parent_immutable/);
  });

  it("refuses a child under a nonexistent parent", async () => {
    const owner = await createUser();
    await expect(createOrg(owner, { parentId: "org_ghost" })).rejects.toThrow();
  });

  it("refuses a tree deeper than 64 levels", async () => {
    const owner = await createUser();
    let parent = await createOrg(owner);
    for (let i = 1; i < 64; i++) parent = await createOrg(owner, { parentId: parent.id });
    await expect(createOrg(owner, { parentId: parent.id })).rejects.toThrow();
  });
});
