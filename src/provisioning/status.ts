import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { runBatch } from "../db/batch";
import {
  organizations,
  provisioningJobs,
  provisioningSteps,
  type OrganizationRow,
  type ProvisioningJobRow,
  type ProvisioningStepRow,
} from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { forgetOrg } from "../auth/cache";
import { enqueueProvisioning, outboxStatements } from "./outbox";

/** An org's provisioning: its status, the outbox job and each step in order. */
export type ProvisioningRecord = {
  orgId: string;
  status: OrganizationRow["status"];
  job: ProvisioningJobRow;
  steps: ProvisioningStepRow[];
};

/** Read from D1, not the org cache: this is where clients poll for `active`. */
export async function readProvisioning(db: Db, orgId: string): Promise<ProvisioningRecord> {
  const [orgRows, jobRows, steps] = await db.batch([
    db.select({ status: organizations.status }).from(organizations).where(eq(organizations.id, orgId)),
    db.select().from(provisioningJobs).where(eq(provisioningJobs.orgId, orgId)),
    db
      .select()
      .from(provisioningSteps)
      .where(eq(provisioningSteps.orgId, orgId))
      .orderBy(asc(provisioningSteps.position)),
  ]);
  const org = orgRows[0];
  const job = jobRows[0];
  if (!org || !job) throw new AppError("not_found", "This organization has no provisioning record.");
  return { orgId, status: org.status, job, steps };
}

/**
 * Re-drives a failed or stuck provisioning: failed and running steps go back to pending
 * (those done stay done), the job is un-acknowledged so the cron re-sends it should this
 * send be lost, and a `provisioning_failed` org is `provisioning` again. 409 once provisioned.
 */
export async function retryProvisioning(env: Env, db: Db, org: OrganizationRow): Promise<ProvisioningRecord> {
  const job = (
    await db.select({ state: provisioningJobs.state }).from(provisioningJobs).where(eq(provisioningJobs.orgId, org.id))
  )[0];
  if (job?.state === "succeeded") throw new AppError("conflict", "The organization is already provisioned.");
  const now = Date.now();
  await runBatch(db, [
    ...outboxStatements(db, org),
    db
      .update(provisioningSteps)
      .set({ status: "pending", updatedAt: now })
      .where(and(eq(provisioningSteps.orgId, org.id), inArray(provisioningSteps.status, ["failed", "running"]))),
    db
      .update(provisioningJobs)
      .set({ state: "pending", failureReason: null, ackedAt: null, updatedAt: now })
      .where(eq(provisioningJobs.orgId, org.id)),
    db
      .update(organizations)
      .set({ status: "provisioning", updatedAt: now })
      .where(and(eq(organizations.id, org.id), eq(organizations.status, "provisioning_failed"))),
  ]);
  forgetOrg(org);
  await enqueueProvisioning(env, [org.id]);
  return readProvisioning(db, org.id);
}
