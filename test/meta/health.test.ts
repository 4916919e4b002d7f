import { describe, expect, it } from "vitest";
import { call } from "../harness";

describe("meta", () => {
  it("GET /healthz answers ok without a credential", async () => {
    const res = await call("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });
});
