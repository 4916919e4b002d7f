import { DurableObject } from "cloudflare:workers";
import { AppError } from "./errors";

/** At most `limit` events per `windowSeconds` (a fixed window opened by the first event). */
export type RateRule = { limit: number; windowSeconds: number };
export type Taken = { allowed: true; count: number } | { allowed: false; count: number; retryAfterSeconds: number };

/** Pruning of closed windows runs at most this often per object: a stale counter is ignored anyway. */
const CLEANUP_EVERY_MS = 10 * 60 * 1000;

/**
 * Exact counters, where the Workers Rate Limiting binding is approximate and fixed in
 * wrangler.toml. Exact matters for sign-in guesses (a code has 10^6 values; the budget is 10 an
 * hour) and for quotas that a user reads back. Each decision is synchronous on the object's SQLite
 * storage, so parallel requests cannot overshoot. An object holds one counter per key it is asked
 * about: usually one (`limiterOf`), or many when a key group is sharded (see there). An alarm
 * drops counters whose window has closed.
 */
export class RateLimiter extends DurableObject {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    const { sql } = ctx.storage;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, window_end INTEGER NOT NULL, count INTEGER NOT NULL)",
    );
    sql.exec("CREATE INDEX IF NOT EXISTS counters_by_end ON counters (window_end)");
  }

  take(key: string, rule: RateRule): Taken {
    const now = Date.now();
    const row = this.ctx.storage.sql
      .exec<{ window_end: number; count: number }>("SELECT window_end, count FROM counters WHERE key = ?", key)
      .toArray()[0];
    const open = row !== undefined && row.window_end > now;
    const windowEnd = open ? row.window_end : now + rule.windowSeconds * 1000;
    const count = open ? row.count : 0;
    if (count >= rule.limit) {
      return { allowed: false, count, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)) };
    }
    this.ctx.storage.sql.exec(
      "INSERT INTO counters (key, window_end, count) VALUES (?, ?, ?) " +
        "ON CONFLICT (key) DO UPDATE SET window_end = excluded.window_end, count = excluded.count",
      key,
      windowEnd,
      count + 1,
    );
    if (!open) this.planCleanup(windowEnd);
    return { allowed: true, count: count + 1 };
  }

  /** Undoes one `take` (an attempt that turned out not to count, e.g. a right code). */
  giveBack(key: string): void {
    this.ctx.storage.sql.exec("UPDATE counters SET count = count - 1 WHERE key = ? AND count > 0", key);
  }

  /** Drops closed windows; runs again for the rest. Firing twice, or early, removes nothing still open. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.kv.delete("cleanup_at");
    this.ctx.storage.sql.exec("DELETE FROM counters WHERE window_end <= ?", now);
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>("SELECT min(window_end) AS at FROM counters")
      .toArray()[0]?.at;
    if (next != null) this.planCleanup(next);
  }

  private planCleanup(windowEnd: number): void {
    // One alarm at a time: when it runs it plans the next one for whatever is left.
    if (this.ctx.storage.kv.get<number>("cleanup_at") !== undefined) return;
    const at = Math.max(windowEnd, Date.now() + CLEANUP_EVERY_MS);
    this.ctx.storage.kv.put("cleanup_at", at);
    void this.ctx.storage.setAlarm(at);
  }
}

/** FNV-1a: a fast, stable spread of keys over shards (not a security boundary). */
function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

/**
 * The counter of one key. By default the key has an object of its own, so a flood against one
 * key (an address guessing sign-in codes) loads only that object. With `shards`, the keys of a
 * group (the text before the first ":") share that many objects: for keys that are mostly new
 * (every invitation goes to a new address), where making a new object per key is the cost —
 * 31 ms of a 56 ms invitation locally against 9 ms for a warm one, and in production the first
 * request to a new object's name is the slow one.
 */
export function limiterOf(ns: DurableObjectNamespace<RateLimiter>, key: string, opts: { shards?: number } = {}) {
  const name = opts.shards ? `${key.split(":", 1)[0]}#${shardOf(key, opts.shards)}` : key;
  const stub = ns.get(ns.idFromName(name));
  return { object: stub, take: (rule: RateRule) => stub.take(key, rule), giveBack: () => stub.giveBack(key) };
}

/**
 * Takes one event from `key`'s budget, or refuses with `code` (429) and the seconds until its
 * window reopens as Retry-After. Returns the counter, for a caller that may give the event back.
 */
export async function takeOrRefuse(
  ns: DurableObjectNamespace<RateLimiter>,
  key: string,
  rule: RateRule,
  refusal: { code: "rate_limited" | "too_many_attempts"; detail: string },
  opts: { shards?: number } = {},
) {
  const limiter = limiterOf(ns, key, opts);
  const taken = await limiter.take(rule);
  if (!taken.allowed) {
    throw new AppError(refusal.code, refusal.detail, { retryAfterSeconds: taken.retryAfterSeconds });
  }
  return limiter;
}
