import type { OrganizationRow } from "../db/schema";
import { TtlCache } from "../lib/ttl-cache";
import type { Role, Scope } from "./scopes";

/**
 * The credential cache: what authenticating a request needs, kept per isolate for
 * CREDENTIAL_CACHE_TTL_SECONDS (default 30 s) so a warm request costs no D1 round trip.
 *
 * Consistency: every write that narrows access (revoke, remove member, delete org, role
 * change) deletes the affected entries here, so it is effective at once in the isolate
 * that handled it, and everywhere else within the TTL. Expiry timestamps are checked on
 * every request, so an expired credential is refused exactly on time.
 */
export type CachedPat = { id: string; userId: string; scopes: Scope[]; expiresAt: number | null; revoked: boolean };
export type CachedApiKey = {
  id: string;
  orgId: string;
  scopes: Scope[];
  createdBy: string | null;
  boundToCreator: boolean;
  expiresAt: number | null;
  revoked: boolean;
};
export type CachedSession = { userId: string; email: string; expiresAt: number; revoked: boolean };

const DEFAULT_TTL_MS = 30_000;

export const patCache = new TtlCache<CachedPat | null>(DEFAULT_TTL_MS);
export const apiKeyCache = new TtlCache<CachedApiKey | null>(DEFAULT_TTL_MS);
export const sessionCache = new TtlCache<CachedSession | null>(DEFAULT_TTL_MS);
/** `${orgId}:${userId}` → roles, or null when not a member. */
export const membershipCache = new TtlCache<Role[] | null>(DEFAULT_TTL_MS);
/** `id:${id}` or `slug:${slug}` → organization row, or null. */
export const orgCache = new TtlCache<OrganizationRow | null>(DEFAULT_TTL_MS);
/** External OIDC subject (email) → user. */
export const oidcUserCache = new TtlCache<{ id: string; email: string }>(DEFAULT_TTL_MS);

let configuredTtl: number | undefined;

/** Applies CREDENTIAL_CACHE_TTL_SECONDS once per isolate. */
export function configureCacheTtl(seconds: string | undefined): void {
  const ms = seconds === undefined ? DEFAULT_TTL_MS : Math.max(0, Number(seconds) * 1000);
  if (configuredTtl === ms || Number.isNaN(ms)) return;
  configuredTtl = ms;
  for (const c of [patCache, apiKeyCache, sessionCache, membershipCache, orgCache, oidcUserCache]) c.setTtl(ms);
}

export function forgetMembership(userId: string, orgId: string): void {
  membershipCache.delete(`${orgId}:${userId}`);
}

export function forgetOrg(org: { id: string; slug?: string }): void {
  orgCache.delete(`id:${org.id}`);
  if (org.slug) orgCache.delete(`slug:${org.slug}`);
  // Old slugs of a renamed or deleted org may be cached too; slug entries are cheap to refill.
  orgCache.deletePrefix("slug:");
  membershipCache.deletePrefix(`${org.id}:`);
}

export function forgetAll(): void {
  for (const c of [patCache, apiKeyCache, sessionCache, membershipCache, orgCache, oidcUserCache]) c.clear();
}
