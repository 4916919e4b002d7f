import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../harness";

describe("meta", () => {
  it("GET /healthz answers ok without a credential", async () => {
    const res = await call("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });

  it("an unknown route is a 404 problem", async () => {
    expectProblem(await call("GET", "/nope"), 404, "not_found");
  });
});
