import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limiterOf } from "../../src/lib/rate-limiter";
import { uniq } from "../harness";

describe("RateLimiter (one Durable Object per key)", () => {
  it("parallel takes never overshoot the limit", async () => {
    const limiter = limiterOf(env.RATE_LIMITER, uniq("race"));
    const results = await Promise.all(Array.from({ length: 30 }, () => limiter.take({ limit: 10, windowSeconds: 60 })));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    const refused = results.find((r) => !r.allowed);
    expect(refused && !refused.allowed && refused.retryAfterSeconds).toBeGreaterThan(0);
  });

  it("giveBack frees one slot; keys are independent", async () => {
    const key = uniq("give");
    const a = limiterOf(env.RATE_LIMITER, key);
    expect((await a.take({ limit: 1, windowSeconds: 60 })).allowed).toBe(true);
    expect((await a.take({ limit: 1, windowSeconds: 60 })).allowed).toBe(false);
    await a.giveBack();
    expect((await a.take({ limit: 1, windowSeconds: 60 })).allowed).toBe(true);
    expect((await limiterOf(env.RATE_LIMITER, `${key}-other`).take({ limit: 1, windowSeconds: 60 })).allowed).toBe(
      true,
    );
  });

  it("the alarm at the window's end wipes the counter", async () => {
    const key = uniq("alarm");
    const limiter = limiterOf(env.RATE_LIMITER, key);
    expect((await limiter.take({ limit: 1, windowSeconds: 3600 })).allowed).toBe(true);
    expect((await limiter.take({ limit: 1, windowSeconds: 3600 })).allowed).toBe(false);
    expect(await runDurableObjectAlarm(limiter)).toBe(true);
    expect((await limiter.take({ limit: 1, windowSeconds: 3600 })).allowed).toBe(true);
  });
});
