import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { makeDb } from "../db/client";
import { runBatch } from "../db/batch";
import { PROVISIONING_STEPS, provisioningJobs, provisioningSteps, type OrganizationRow } from "../db/schema";
import type { Env } from "../env";

/** Body of a message on the `provisioning` queue. Redelivery is harmless: steps are idempotent. */
export type ProvisioningMessage = { orgId: string };

/** An outbox row not acknowledged by the consumer within this time is sent again by the cron. */
export const RESEND_AFTER_MS = 30_000;
const RESEND_BATCH = 100;

/**
 * The outbox row and the pending steps of a new org, written in the org-creation batch
 * (`provisioningHooks.creationStatements`). Existing rows are left alone.
 */
export function outboxStatements(db: Db, org: Pick<OrganizationRow, "id" | "createdAt">): BatchItem<"sqlite">[] {
  const now = org.createdAt;
  return [
    db
      .insert(provisioningJobs)
      .values({ orgId: org.id, state: "pending", createdAt: now, updatedAt: now })
      .onConflictDoNothing(),
    db
      .insert(provisioningSteps)
      .values(
        PROVISIONING_STEPS.map((step, position) => ({
          orgId: org.id,
          step,
          position,
          status: "pending" as const,
          updatedAt: now,
        })),
      )
      .onConflictDoNothing(),
  ];
}

/** Sends the provisioning messages of these orgs and records the send on their outbox rows. */
export async function enqueueProvisioning(env: Env, orgIds: string[]): Promise<void> {
  if (orgIds.length === 0) return;
  const db = makeDb(env.DB);
  await env.PROVISIONING_QUEUE.sendBatch(
    orgIds.map((orgId) => ({ body: { orgId } satisfies ProvisioningMessage, contentType: "json" as const })),
  );
  const now = Date.now();
  await runBatch(
    db,
    orgIds.map((orgId) =>
      db
        .update(provisioningJobs)
        .set({ sends: sql`${provisioningJobs.sends} + 1`, enqueuedAt: now })
        .where(eq(provisioningJobs.orgId, orgId)),
    ),
  );
}

/**
 * The cron's job: re-sends outbox rows whose message the consumer never acknowledged
 * (the worker died between the commit and the send, or the send failed). Returns how many.
 */
export async function resendUnacknowledged(env: Env, now = Date.now()): Promise<number> {
  const db = makeDb(env.DB);
  const cutoff = now - RESEND_AFTER_MS;
  const rows = await db
    .select({ orgId: provisioningJobs.orgId })
    .from(provisioningJobs)
    .where(
      and(
        eq(provisioningJobs.state, "pending"),
        isNull(provisioningJobs.ackedAt),
        lt(provisioningJobs.createdAt, cutoff),
        or(isNull(provisioningJobs.enqueuedAt), lt(provisioningJobs.enqueuedAt, cutoff)),
      ),
    )
    .limit(RESEND_BATCH);
  await enqueueProvisioning(
    env,
    rows.map((r) => r.orgId),
  );
  return rows.length;
}
