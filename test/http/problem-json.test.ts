import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../harness";
import { buildApp } from "../../src/app";
import { problemOf, statusOf } from "../../src/http/errors";
import { AppError, ERROR_CODES } from "../../src/lib/errors";

describe("problem+json", () => {
  it("an unknown route is a 404 problem", async () => {
    expectProblem(await call("GET", "/nope"), 404, "not_found");
  });

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
