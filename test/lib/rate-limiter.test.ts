import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limiterOf, type RateLimiter } from "../../src/lib/rate-limiter";
import { uniq } from "../harness";

const HOUR = { limit: 1, windowSeconds: 3600 };

/** The counters an object holds, and its planned alarm. */
const stateOf = (object: DurableObjectStub<RateLimiter>) =>
  runInDurableObject(object, async (_instance: RateLimiter, state) => ({
    keys: state.storage.sql
      .exec<{ key: string }>("SELECT key FROM counters ORDER BY key")
      .toArray()
      .map((r) => r.key),
    alarm: await state.storage.getAlarm(),
  }));

/** Two distinct keys of `group` that land in the same one of `shards` objects. */
function sameShardKeys(group: string, shards: number): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const key = `${group}:${uniq("k")}${i}`;
    const name = limiterOf(env.RATE_LIMITER, key, { shards }).object.id.toString();
    const other = seen.get(name);
    if (other) return [other, key];
    seen.set(name, key);
  }
}

describe("RateLimiter", () => {
  it("parallel takes never overshoot the limit, one object per key or sharded", async () => {
    for (const opts of [{}, { shards: 4 }]) {
      const limiter = limiterOf(env.RATE_LIMITER, `race:${uniq()}`, opts);
      const results = await Promise.all(
        Array.from({ length: 30 }, () => limiter.take({ limit: 10, windowSeconds: 60 })),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
      const refused = results.find((r) => !r.allowed);
      expect(refused && !refused.allowed && refused.retryAfterSeconds).toBeGreaterThan(0);
    }
  });

  it("giveBack frees one slot; keys are independent, also inside one shared object", async () => {
    const key = uniq("give");
    const a = limiterOf(env.RATE_LIMITER, key);
    expect((await a.take(HOUR)).allowed).toBe(true);
    expect((await a.take(HOUR)).allowed).toBe(false);
    await a.giveBack();
    expect((await a.take(HOUR)).allowed).toBe(true);
    expect((await limiterOf(env.RATE_LIMITER, `${key}-other`).take(HOUR)).allowed).toBe(true);

    const [k1, k2] = sameShardKeys(uniq("group"), 2);
    const s1 = limiterOf(env.RATE_LIMITER, k1, { shards: 2 });
    const s2 = limiterOf(env.RATE_LIMITER, k2, { shards: 2 });
    expect(s1.object.id.equals(s2.object.id)).toBe(true);
    expect((await s1.take(HOUR)).allowed).toBe(true);
    expect((await s1.take(HOUR)).allowed).toBe(false);
    expect((await s2.take(HOUR)).allowed).toBe(true);
    await s2.giveBack();
    expect((await s1.take(HOUR)).allowed).toBe(false);
  });

  it("a key's shard is stable, so its counter is found again", async () => {
    const key = `mail-recipient:${uniq()}@example.com`;
    expect((await limiterOf(env.RATE_LIMITER, key, { shards: 64 }).take(HOUR)).allowed).toBe(true);
    expect((await limiterOf(env.RATE_LIMITER, key, { shards: 64 }).take(HOUR)).allowed).toBe(false);
  });

  it("a closed window opens anew on the next take, alarm or not", async () => {
    const limiter = limiterOf(env.RATE_LIMITER, uniq("short"));
    const second = { limit: 1, windowSeconds: 1 };
    expect((await limiter.take(second)).allowed).toBe(true);
    expect((await limiter.take(second)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await limiter.take(second)).allowed).toBe(true);
  });

  it("the alarm drops closed windows only: early or twice, it removes nothing still open", async () => {
    const [open, closing] = sameShardKeys(uniq("alarm"), 2);
    const a = limiterOf(env.RATE_LIMITER, open, { shards: 2 });
    const b = limiterOf(env.RATE_LIMITER, closing, { shards: 2 });
    expect((await a.take(HOUR)).allowed).toBe(true);
    expect((await b.take({ limit: 1, windowSeconds: 1 })).allowed).toBe(true);
    expect((await stateOf(a.object)).alarm).not.toBeNull();
    await new Promise((r) => setTimeout(r, 1_100));

    expect(await runDurableObjectAlarm(a.object)).toBe(true);
    expect(await stateOf(a.object)).toEqual({ keys: [open], alarm: expect.any(Number) });
    expect(await runDurableObjectAlarm(a.object)).toBe(true);
    expect((await stateOf(a.object)).keys).toEqual([open]);
    expect((await a.take(HOUR)).allowed).toBe(false);
  });

  it("with nothing left, the alarm plans no other", async () => {
    const limiter = limiterOf(env.RATE_LIMITER, uniq("empty"));
    expect((await limiter.take({ limit: 1, windowSeconds: 1 })).allowed).toBe(true);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await runDurableObjectAlarm(limiter.object)).toBe(true);
    expect(await stateOf(limiter.object)).toEqual({ keys: [], alarm: null });
  });
});
