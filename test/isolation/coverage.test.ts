import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { ORG_ROUTES, type VictimFixture } from "./routes";

/** Routes under /admin that act on no org (the caller's own account) or create one. */
const NOT_ORG_SCOPED = [/^\/admin\/me$/, /^\/admin\/account(\/|$)/, /^\/admin\/organizations(\/slug-availability)?$/];

describe("the tenant-isolation suite covers every org-scoped route", () => {
  it("each /admin route the app serves is listed in test/isolation/routes.ts", () => {
    const placeholder = new Proxy({}, { get: (_, k) => `x-${String(k)}` });
    const fixture = {
      org: { id: "org_x", slug: "x" },
      ownerId: "usr_x",
      keyId: "key_x",
      ids: placeholder,
    } as unknown as VictimFixture;
    const listed = ORG_ROUTES.map((r) => ({ method: r.method, path: r.path(fixture).split("?")[0]! }));
    const missing = buildApp()
      .routes.filter(
        (r) => r.method !== "ALL" && r.path.startsWith("/admin/") && !NOT_ORG_SCOPED.some((re) => re.test(r.path)),
      )
      .filter((r) => {
        const re = new RegExp(`^${r.path.replace(/:[^/]+/g, "[^/]+")}$`);
        return !listed.some((l) => l.method === r.method && re.test(l.path));
      })
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });
});
