import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations } from "../db/schema";
import type { Env } from "../env";
import { forgetOrg } from "../auth/cache";

const DEFAULT_LEASE_SECONDS = 60;

/** The org's concurrency Durable Object (one per org, addressed by name). */
export function concurrencyOf(env: Env, orgId: string) {
  return env.ORG_CONCURRENCY.get(env.ORG_CONCURRENCY.idFromName(orgId));
}

/** How long a lease lives without a heartbeat (CALL_LEASE_SECONDS). */
export function leaseMs(env: Env): number {
  const s = Number(env.CALL_LEASE_SECONDS ?? DEFAULT_LEASE_SECONDS);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_LEASE_SECONDS) * 1000;
}

/**
 * Changes an org's concurrency limit: the Durable Object (the truth) first, then the
 * mirror on the organization row. For billing's plan changes. Running calls continue.
 */
export async function setConcurrencyLimit(env: Env, db: Db, orgId: string, limit: number): Promise<void> {
  await concurrencyOf(env, orgId).configure(orgId, limit);
  await db
    .update(organizations)
    .set({ concurrencyLimit: limit, updatedAt: Date.now() })
    .where(eq(organizations.id, orgId));
  forgetOrg({ id: orgId });
}

/** Clears the org's Durable Object storage; for org deletion (`resourceHooks.afterDeletion`). */
export async function destroyOrgConcurrency(env: Env, orgId: string): Promise<void> {
  await concurrencyOf(env, orgId).destroy();
}
