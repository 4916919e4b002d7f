import { describe, expect, it } from "vitest";
import { call } from "../harness";
import { ORG_ROUTES, type VictimFixture } from "./routes";

type Operation = { "x-org-context"?: "required" | "optional" };

/**
 * The routes that must be in the suite come from the routes' own declaration
 * (`...orgScoped` in createRoute marks the operation `x-org-context: required` in
 * /openapi.json), so a new org-scoped route cannot be left out of the suite.
 */
async function declaredOrgRoutes(context: "required" | "optional") {
  const doc = (await call("GET", "/openapi.json")).json as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op["x-org-context"] === context)
      .map(([method, _op]) => ({ method: method.toUpperCase(), path })),
  );
}

describe("the tenant-isolation suite covers every org-scoped route", () => {
  it("each route declared org-scoped is listed in test/isolation/routes.ts", async () => {
    const placeholder = new Proxy({}, { get: (_, k) => `x-${String(k)}` });
    const fixture = {
      org: { id: "org_x", slug: "x" },
      ownerId: "usr_x",
      keyId: "key_x",
      ids: placeholder,
    } as unknown as VictimFixture;
    const listed = ORG_ROUTES.map((r) => ({ method: r.method, path: r.path(fixture).split("?")[0] ?? "" }));
    const declared = await declaredOrgRoutes("required");
    expect(declared.length).toBeGreaterThan(30);
    const missing = declared
      .filter(({ method, path }) => {
        const re = new RegExp(`^${path.replace(/\{[^/]+\}/g, "[^/]+")}$`);
        return !listed.some((l) => l.method === method && re.test(l.path));
      })
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it("only org creation and the slug check take an optional org; every other /admin route declares one or none", async () => {
    expect(await declaredOrgRoutes("optional")).toEqual(
      expect.arrayContaining([
        { method: "GET", path: "/admin/organizations/slug-availability" },
        { method: "POST", path: "/admin/organizations" },
      ]),
    );
    expect(await declaredOrgRoutes("optional")).toHaveLength(2);
  });
});
