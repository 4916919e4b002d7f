import { positiveVar, type Env } from "../env";
import { TtlCache } from "../lib/ttl-cache";
import type { PublicBranding } from "./service";

/** What a custom host serves: its org and that org's effective branding. */
export type Site = { orgId: string; domain: string; branding: PublicBranding };

const DEFAULT_TTL_MS = 30_000;

/**
 * Host → site (or null: not an active custom domain, cached too so an unknown host costs what
 * a known one does), per isolate for DOMAIN_CACHE_TTL_SECONDS. A domain change forgets its host
 * here; a branding change forgets every host (descendants inherit it). Other isolates see a
 * change within the TTL.
 */
export const siteCache = new TtlCache<Site | null>(DEFAULT_TTL_MS);

export function configureSiteCacheTtl(env: Env): void {
  siteCache.setTtl(positiveVar(env.DOMAIN_CACHE_TTL_SECONDS, DEFAULT_TTL_MS / 1000) * 1000);
}

export function forgetSite(domain: string | null | undefined): void {
  if (domain) siteCache.delete(domain);
}

export function forgetSites(): void {
  siteCache.clear();
}
