import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { usageStoreOf } from "../../src/usage/store";

describe("USAGE_STORE (src/usage/store.ts)", () => {
  it('is "d1" in wrangler.toml, and "d1" when unset', () => {
    expect(env.USAGE_STORE).toBe("d1");
    expect(() => usageStoreOf({ ...env, USAGE_STORE: undefined })).not.toThrow();
  });

  it("an unknown store is a configuration error, not a silent fallback", () => {
    expect(() => usageStoreOf({ ...env, USAGE_STORE: "analytics-engine" })).toThrow(/USAGE_STORE must be one of d1/);
  });
});
