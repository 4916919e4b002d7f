import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../harness";
import { buildApp } from "../../src/app";
import { problemOf, statusOf } from "../../src/http/errors";
import { AppError, ERROR_CODES } from "../../src/lib/errors";

describe("/openapi.json and /docs", () => {
  it("lists every route the app serves", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(res.json.paths as Record<string, object>)) {
      for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    const undocumented = buildApp()
      .routes.filter((r) => r.method !== "ALL" && !["/healthz", "/docs", "/openapi.json"].includes(r.path))
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

describe("problem+json", () => {
  it("every error code maps to a 4xx/5xx status", () => {
    for (const code of ERROR_CODES) {
      const s = statusOf(code);
      expect(s >= 400 && s < 600).toBe(true);
      expect(problemOf(new AppError(code), "req").status).toBe(s);
    }
  });

  it("carries the request id, echoing a client-supplied one", async () => {
    const res = await call("GET", "/admin/organization", { headers: { "x-request-id": "req-abc-123" } });
    expectProblem(res, 401, "unauthenticated");
    expect(res.json.request_id).toBe("req-abc-123");
    expect(res.headers.get("x-request-id")).toBe("req-abc-123");
  });

  it("an unexpected failure is a 500 problem with no stack trace", async () => {
    // A route that throws an unexpected error, mounted on a fresh app with the real middleware and error handler.
    const app = buildApp();
    app.get("/boom", () => {
      throw new Error("secret internals at /src/x.ts:1:1");
    });
    const res = await app.request(
      "/boom",
      {},
      { DB: undefined } as never,
      { waitUntil() {}, passThroughOnException() {}, props: {} } as never,
    );
    const body = await res.text();
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(JSON.parse(body).code).toBe("internal_error");
    expect(body).not.toContain("secret internals");
    expect(body).not.toContain("openapi.test.ts");
  });
});
