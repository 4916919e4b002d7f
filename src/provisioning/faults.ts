import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { faultInjections, type OrganizationRow } from "../db/schema";
import type { Env } from "../env";

/**
 * Test-only failure injection, active only when FAULT_INJECTION = "enabled" (set by the
 * test configuration, never in wrangler.toml): a row (step, org id or slug, remaining)
 * makes that many runs of the step fail, so tests can prove retries and the DLQ path.
 */
export async function injectedFault(env: Env, db: Db, step: string, org: OrganizationRow): Promise<void> {
  if (env.FAULT_INJECTION !== "enabled") return;
  const hit = await db
    .update(faultInjections)
    .set({ remaining: sql`${faultInjections.remaining} - 1` })
    .where(
      and(
        eq(faultInjections.step, step),
        inArray(faultInjections.orgRef, [org.id, org.slug]),
        gt(faultInjections.remaining, 0),
      ),
    )
    .returning({ message: faultInjections.message });
  if (hit[0]) throw new Error(hit[0].message);
}
