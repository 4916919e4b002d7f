import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orgLifecycle } from "../../src/app";
import { findOrOnboardUser } from "../../src/onboarding/service";
import { generateSlug } from "../../src/orgs/service";
import { ID_PREFIXES, isReservedSlug, SLUG_RE } from "../../src/orgs/slug";
import { call, createUser, db, expectProblem, uniq } from "../harness";

/** Issue 9 item 13: slugs that collide with a product path or read like an id are reserved. */

/** Routes outside /openapi.json, and the console's pages. */
const UNDOCUMENTED_PATHS = ["/healthz", "/docs", "/openapi.json", "/branding.json", "/webhooks/stripe", "/.well-known"];

describe("reserved slugs", () => {
  it("every literal segment of every product path is reserved", async () => {
    const doc = (await call("GET", "/openapi.json")).json as { paths: Record<string, unknown> };
    const paths = [...Object.keys(doc.paths), ...UNDOCUMENTED_PATHS];
    expect(paths.some((p) => p.startsWith("/dev/"))).toBe(true); // development mode: /dev routes included
    const segments = new Set(
      paths.flatMap((p) => p.split("/").map((s) => s.replace(/\.json$/, "").replace(/^\./, ""))),
    );
    const open = [...segments].filter((s) => SLUG_RE.test(s) && !isReservedSlug(s));
    expect(open).toEqual([]);
  });

  it("every id prefix the code mints (newId) is known, so id-shaped slugs stay reserved", () => {
    const sources = import.meta.glob("../../src/**/*.ts", { query: "?raw", import: "default", eager: true });
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    const minted = new Set<string>();
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/newId\("([a-z]+)"\)/g)) if (m[1]) minted.add(m[1]);
      for (const m of text.matchAll(/this\.once\(key, "\w+", "([a-z]+)"/g)) if (m[1]) minted.add(m[1]);
    }
    expect(minted.size).toBeGreaterThan(10);
    expect([...minted].filter((p) => !ID_PREFIXES.includes(p))).toEqual([]);
  });

  it("refuses product paths, API versions, `current` and id-shaped slugs on create, rename and the check (422)", async () => {
    const u = await createUser();
    const own = await call("POST", "/admin/organizations", { token: u.session, body: { name: "Mine" } });
    expect(own.status).toBe(201);
    for (const slug of [
      "admin",
      "v1",
      "v2",
      "auth",
      "docs",
      "dev",
      "webhooks",
      "current",
      "settings",
      "api",
      "openapi",
      "healthz",
      "sign-in",
      "organization",
      "organizations",
      "partner-console",
      "billing",
      "branding",
      "org-acme",
      "org-0abc123def456ghi789",
      "usr-1",
      "ak-x",
      "pat-token",
      "key-1",
      "Org-Upper",
    ]) {
      const create = await call("POST", "/admin/organizations", { token: u.session, body: { name: "X", slug } });
      expect({ slug, status: create.status }).toEqual({ slug, status: 422 });
      expectProblem(create, 422, "slug_reserved");
      const rename = await call("PATCH", "/admin/organization", {
        token: u.session,
        org: own.json.id,
        body: { slug },
      });
      expectProblem(rename, 422, "slug_reserved");
      const check = await call("GET", `/admin/organizations/slug-availability?slug=${slug}`, { token: u.session });
      expect(check.json).toEqual({ slug: slug.toLowerCase(), available: false, reason: "reserved" });
    }
  });

  it("slugs that merely contain a reserved word or a prefix stay free", () => {
    for (const slug of ["acme-admin", "administrator", "orgchart", "organic-foods", "v1beta", "my-org-1", "keys4u"]) {
      expect({ slug, reserved: isReservedSlug(slug) }).toEqual({ slug, reserved: false });
    }
  });

  it("a generated slug is never reserved: from names that are reserved words, id-shaped or unslugifiable", async () => {
    const u = await createUser();
    const make = async (name: string) =>
      (await call("POST", "/admin/organizations", { token: u.session, body: { name } })).json.slug as string;
    expect(await make(`Org ${uniq("acme")}`)).toMatch(/^orgacme/);
    expect(await make("Admin")).toMatch(/^admin-[a-z0-9]{6}$/);
    expect(await make("日本語")).toMatch(/^team(-[a-z0-9]{6})?$/);
  });

  it("generateSlug never returns a reserved or invalid slug (property)", async () => {
    const words = fc.constantFrom("org", "usr", "Admin", "v1", "current", "pat", "ak", "sign in", "call", "key", "x");
    const name = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(words, fc.constantFrom("", " ", "-", "_"), fc.string({ maxLength: 8 })).map((p) => p.join("")),
    );
    await fc.assert(
      fc.asyncProperty(name, async (n) => {
        const slug = await generateSlug(db(), n);
        expect(SLUG_RE.test(slug)).toBe(true);
        expect(isReservedSlug(slug)).toBe(false);
      }),
      { numRuns: 200, seed: 9013 },
    );
  });

  it("first sign-in from an id-shaped or reserved local part gets an unreserved slug", async () => {
    for (const local of [`org-${uniq("x")}`, "admin", "current", "v1", "pat"]) {
      const { firstOrg } = await findOrOnboardUser(db(), orgLifecycle, `${local}@${uniq("d")}.example`);
      const slug = firstOrg?.slug ?? "";
      expect({ local, ok: SLUG_RE.test(slug) && !isReservedSlug(slug) }).toEqual({ local, ok: true });
    }
  });
});
