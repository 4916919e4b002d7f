import { describe, expect, it } from "vitest";
import { call } from "../harness";
import { buildApp } from "../../src/app";
import { consoleRoutes } from "../../src/console/routes";

describe("/openapi.json and /docs", () => {
  it("lists every route the app serves", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(res.json.paths as Record<string, object>)) {
      for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    // Pages for people, not API: the web console, and the local billing provider's Checkout and
    // portal (what Stripe hosts). Every other route the app serves must be documented.
    const consolePages = new Set(consoleRoutes.routes.map((r) => `${r.method} ${r.path}`));
    const pages = (path: string, method: string) =>
      path.startsWith("/billing/local/") || consolePages.has(`${method} ${path}`);
    const undocumented = buildApp()
      .routes.filter(
        (r) =>
          r.method !== "ALL" && !["/healthz", "/docs", "/openapi.json"].includes(r.path) && !pages(r.path, r.method),
      )
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => !documented.has(r));
    expect(undocumented).toEqual([]);
    for (const p of [
      "/auth/email/start",
      "/admin/organizations",
      "/admin/organization",
      "/admin/organization-pats",
      "/admin/account/tokens",
    ]) {
      expect(Object.keys(res.json.paths)).toContain(p);
    }
  });

  it("/docs is a self-contained page (no external scripts)", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("/openapi.json");
    expect(res.text).not.toMatch(/<script[^>]+src=/);
  });
});
