import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { buildApp } from "../../src/app";

const app = buildApp();
const production = { ...env, ENVIRONMENT: "production" };
const get = (path: string, bindings: typeof env) =>
  app.fetch(new Request(`http://api.test${path}`), bindings, createExecutionContext());

describe("development routes fail closed", () => {
  it("wrangler.toml makes production the default; only .dev.vars turns development on", () => {
    expect(wranglerToml).toMatch(/^ENVIRONMENT = "production"$/m);
    expect(wranglerToml).not.toMatch(/^ENVIRONMENT = "development"$/m);
  });

  it("in production every /dev route is a 404 before any validation", async () => {
    for (const path of ["/dev/outbox", "/dev/outbox?to=not-an-email", "/dev/outbox?to=a@b.example"]) {
      const res = await get(path, production);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe("not_found");
    }
    const post = await app.fetch(
      new Request("http://api.test/dev/organizations/org_x/concurrency-limit", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ limit: 999 }),
      }),
      production,
      createExecutionContext(),
    );
    expect(post.status).toBe(404);
  });

  it("the production OpenAPI document lists no /dev route; the development one does", async () => {
    const prodPaths = Object.keys(((await (await get("/openapi.json", production)).json()) as { paths: object }).paths);
    expect(prodPaths.filter((p) => p.startsWith("/dev/"))).toEqual([]);
    expect(prodPaths).toContain("/admin/members");
    const devPaths = Object.keys(((await (await get("/openapi.json", env)).json()) as { paths: object }).paths);
    expect(devPaths).toContain("/dev/outbox");
  });

  it("in development the local mailbox answers (validating its input)", async () => {
    expect((await get("/dev/outbox?to=not-an-email", env)).status).toBe(400);
    expect((await get("/dev/outbox?to=a@b.example", env)).status).toBe(200);
  });
});
