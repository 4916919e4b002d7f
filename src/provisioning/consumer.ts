import { and, asc, eq, inArray, ne } from "drizzle-orm";
import { makeDb, type Db } from "../db/client";
import { runBatch } from "../db/batch";
import { organizations, PROVISIONING_STEPS, provisioningJobs, provisioningSteps } from "../db/schema";
import type { Env } from "../env";
import { forgetOrg } from "../auth/cache";
import { backoffBase, backoffSeconds } from "../lib/backoff";
import { injectedFault } from "./faults";
import { outboxStatements, type ProvisioningMessage } from "./outbox";
import { STEP_RUNNERS } from "./steps";

const errorText = (err: unknown) => String((err as Error)?.message ?? err).slice(0, 500);

/**
 * Runs the org's steps in order, skipping those already done, and records each run
 * (status, attempts, last error, timestamps). Throws on the first failing step so the
 * message is retried; the org turns `active` when every step has succeeded.
 */
export async function provisionOrganization(env: Env, db: Db, orgId: string): Promise<void> {
  const org = (await db.select().from(organizations).where(eq(organizations.id, orgId)).limit(1))[0];
  if (!org) return; // deleted meanwhile: nothing left to provision
  const job = (await db.select().from(provisioningJobs).where(eq(provisioningJobs.orgId, orgId)).limit(1))[0];
  if (job?.state === "succeeded") return;
  if (!job || job.ackedAt === null) {
    await runBatch(db, [
      ...outboxStatements(db, org),
      db
        .update(provisioningJobs)
        .set({ ackedAt: Date.now(), updatedAt: Date.now() })
        .where(eq(provisioningJobs.orgId, orgId)),
    ]);
  }
  const rows = await db
    .select()
    .from(provisioningSteps)
    .where(eq(provisioningSteps.orgId, orgId))
    .orderBy(asc(provisioningSteps.position));
  const done = new Set(rows.filter((r) => r.status === "succeeded").map((r) => r.step));
  for (const step of PROVISIONING_STEPS) {
    if (done.has(step)) continue;
    const where = and(eq(provisioningSteps.orgId, orgId), eq(provisioningSteps.step, step));
    const attempts = (rows.find((r) => r.step === step)?.attempts ?? 0) + 1;
    await db
      .update(provisioningSteps)
      .set({ status: "running", attempts, startedAt: Date.now(), updatedAt: Date.now() })
      .where(where);
    try {
      await injectedFault(env, db, step, org);
      await STEP_RUNNERS[step]({ env, db, org });
    } catch (err) {
      await db
        .update(provisioningSteps)
        .set({ status: "failed", lastError: errorText(err), updatedAt: Date.now() })
        .where(where);
      throw err;
    }
    const now = Date.now();
    await db
      .update(provisioningSteps)
      .set({ status: "succeeded", lastError: null, finishedAt: now, updatedAt: now })
      .where(where);
  }
  const now = Date.now();
  await db.batch([
    db
      .update(organizations)
      .set({ status: "active", updatedAt: now })
      .where(and(eq(organizations.id, orgId), inArray(organizations.status, ["provisioning", "provisioning_failed"]))),
    db
      .update(provisioningJobs)
      .set({ state: "succeeded", failureReason: null, completedAt: now, updatedAt: now })
      .where(eq(provisioningJobs.orgId, orgId)),
  ]);
  forgetOrg(org);
}

/**
 * Consumer of the `provisioning` queue. Messages of a batch are different orgs (run in
 * parallel); a failure retries that message with exponential backoff, and after
 * max_retries the queue moves it to `provisioning-dlq`.
 */
export async function consumeProvisioning(batch: MessageBatch<ProvisioningMessage>, env: Env): Promise<void> {
  const db = makeDb(env.DB);
  const base = backoffBase(env.PROVISIONING_BACKOFF_BASE_SECONDS);
  await Promise.all(
    batch.messages.map(async (msg) => {
      try {
        await provisionOrganization(env, db, msg.body.orgId);
        msg.ack();
      } catch (err) {
        console.error(
          JSON.stringify({
            level: "warn",
            queue: "provisioning",
            org_id: msg.body.orgId,
            attempt: msg.attempts,
            message: errorText(err),
          }),
        );
        msg.retry({ delaySeconds: backoffSeconds(msg.attempts, base) });
      }
    }),
  );
}

/** Dead letters: the org is marked `provisioning_failed` with the failing step's error. Idempotent. */
export async function consumeProvisioningDeadLetters(
  batch: MessageBatch<ProvisioningMessage>,
  env: Env,
): Promise<void> {
  const db = makeDb(env.DB);
  for (const msg of batch.messages) {
    const orgId = msg.body.orgId;
    const failed = (
      await db
        .select({ step: provisioningSteps.step, error: provisioningSteps.lastError })
        .from(provisioningSteps)
        .where(and(eq(provisioningSteps.orgId, orgId), eq(provisioningSteps.status, "failed")))
        .orderBy(asc(provisioningSteps.position))
        .limit(1)
    )[0];
    const reason = failed
      ? `${failed.step}: ${failed.error ?? "failed"}`
      : "provisioning did not complete after all retries";
    const now = Date.now();
    await db.batch([
      db
        .update(provisioningJobs)
        .set({ state: "failed", failureReason: reason, updatedAt: now })
        .where(and(eq(provisioningJobs.orgId, orgId), ne(provisioningJobs.state, "succeeded"))),
      db
        .update(organizations)
        .set({ status: "provisioning_failed", updatedAt: now })
        .where(and(eq(organizations.id, orgId), eq(organizations.status, "provisioning"))),
    ]);
    forgetOrg({ id: orgId });
    msg.ack();
  }
}
