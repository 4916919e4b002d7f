import { TtlCache } from "../lib/ttl-cache";

/**
 * The read cache: answers that many requests ask for and few writes change (an org's member
 * and invitation lists, its billing state, a user's memberships), kept per isolate so a warm
 * read costs no D1 round trip.
 *
 * Every write made through this isolate's D1 client (makeDb, src/db/client.ts) moves the
 * generation on when it completes, and an entry is only served while the generation it was read
 * at is current. So in this isolate a read always sees every write that finished before it began,
 * without any writer having to name what it changed: a new write path cannot forget to
 * invalidate. A write made by another isolate shows here within READ_CACHE_TTL_SECONDS (default
 * 2 s), the window docs/SCALING.md states. Access is never decided from this cache (that is the
 * credential cache's job, src/auth/cache.ts): it only makes an already authorised read cheaper.
 *
 * Values are shared between requests: callers must not mutate what they get.
 */
const DEFAULT_TTL_MS = 2_000;
// Entries can be a page of 100 members (~15 KB): 1,000 of them stay well inside an isolate's memory.
const entries = new TtlCache<{ value: unknown; generation: number }>(DEFAULT_TTL_MS, 1_000);
let generation = 0;
let configuredTtl = DEFAULT_TTL_MS;

/** Called by the D1 client after each write statement or batch containing one (success or not). */
export function noteWrite(): void {
  generation++;
}

/** Applies READ_CACHE_TTL_SECONDS (0 turns the cache off). */
export function configureReadCache(seconds: string | undefined): void {
  const ms = seconds === undefined ? DEFAULT_TTL_MS : Math.max(0, Number(seconds) * 1000);
  if (ms === configuredTtl || Number.isNaN(ms)) return;
  configuredTtl = ms;
  entries.setTtl(ms);
  entries.clear();
}

/**
 * `load()`'s answer for `key`, from the cache while no write has completed since it was read.
 * `keepIf` refuses answers too big to keep (an unpaginated list), so the size bound holds.
 */
export async function cachedRead<T>(key: string, load: () => Promise<T>, keepIf?: (value: T) => boolean): Promise<T> {
  const hit = entries.get(key);
  if (hit && hit.generation === generation) return hit.value as T;
  const readAt = generation;
  const value = await load();
  // A write that completed while we read may or may not be in `value`: keep it only if none did.
  if (readAt === generation && (keepIf?.(value) ?? true)) entries.set(key, { value, generation: readAt });
  return value;
}
