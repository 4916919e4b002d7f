import { DurableObject } from "cloudflare:workers";
import { AppError } from "./errors";

/** At most `limit` events per `windowSeconds` (a fixed window opened by the first event). */
export type RateRule = { limit: number; windowSeconds: number };
export type Taken = { allowed: true; count: number } | { allowed: false; count: number; retryAfterSeconds: number };

/**
 * One per rate-limited key (`idFromName("sign-in-start:email:x@y")`): an exact counter, where
 * the Workers Rate Limiting binding is approximate and fixed in wrangler.toml. Exact matters
 * for sign-in guesses (a code has 10^6 values; the budget is 10 an hour) and for quotas that
 * a user reads back. Each decision is synchronous on the object's storage, so parallel
 * requests cannot overshoot; the alarm wipes the object when its window closes.
 */
export class RateLimiter extends DurableObject {
  take(rule: RateRule): Taken {
    const now = Date.now();
    const windowMs = rule.windowSeconds * 1000;
    let start = this.ctx.storage.kv.get<number>("start");
    let count = this.ctx.storage.kv.get<number>("count") ?? 0;
    if (start === undefined || start + windowMs <= now) {
      start = now;
      count = 0;
      this.ctx.storage.kv.put("start", start);
      void this.ctx.storage.setAlarm(start + windowMs);
    }
    if (count >= rule.limit) {
      return { allowed: false, count, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
    }
    this.ctx.storage.kv.put("count", count + 1);
    return { allowed: true, count: count + 1 };
  }

  /** Undoes one `take` (an attempt that turned out not to count, e.g. a right code). */
  giveBack(): void {
    const count = this.ctx.storage.kv.get<number>("count") ?? 0;
    if (count > 0) this.ctx.storage.kv.put("count", count - 1);
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

/** The counter of one key. */
export function limiterOf(ns: DurableObjectNamespace<RateLimiter>, key: string) {
  return ns.get(ns.idFromName(key));
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
) {
  const limiter = limiterOf(ns, key);
  const taken = await limiter.take(rule);
  if (!taken.allowed) {
    throw new AppError(refusal.code, refusal.detail, { retryAfterSeconds: taken.retryAfterSeconds });
  }
  return limiter;
}
