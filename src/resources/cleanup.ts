import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import type { OrgHooks } from "../orgs/lifecycle";
import { destroyOrgConcurrency } from "../calls/client";
import { carrierFor } from "../adapters/telephony";
import { makeDb } from "../db/client";
import {
  agents,
  callRecords,
  knowledgeBases,
  phoneNumberPool,
  phoneNumbers,
  provisioningJobs,
  provisioningSteps,
  telephonyTrunks,
  usageDaily,
  usageEvents,
  webWidgets,
} from "../db/schema";

/**
 * The statements that remove everything this capability keeps for an org (resources,
 * provisioning records, call records, usage) and return its numbers to the pool. They
 * join the org-deletion batch; the org's Durable Object is cleared separately
 * (`destroyOrgConcurrency`).
 */
export function deleteOrgResourcesStatements(db: Db, orgId: string): BatchItem<"sqlite">[] {
  return [
    db.delete(agents).where(eq(agents.orgId, orgId)),
    db.delete(knowledgeBases).where(eq(knowledgeBases.orgId, orgId)),
    db.delete(webWidgets).where(eq(webWidgets.orgId, orgId)),
    db.delete(phoneNumbers).where(eq(phoneNumbers.orgId, orgId)),
    db.update(phoneNumberPool).set({ orgId: null, assignedAt: null }).where(eq(phoneNumberPool.orgId, orgId)),
    db.delete(telephonyTrunks).where(eq(telephonyTrunks.orgId, orgId)),
    db.delete(callRecords).where(eq(callRecords.orgId, orgId)),
    db.delete(usageEvents).where(eq(usageEvents.orgId, orgId)),
    db.delete(usageDaily).where(eq(usageDaily.orgId, orgId)),
    db.delete(provisioningSteps).where(eq(provisioningSteps.orgId, orgId)),
    db.delete(provisioningJobs).where(eq(provisioningJobs.orgId, orgId)),
  ];
}

/**
 * Org deletion: these tables in its batch, then the org's Durable Object cleared and its
 * numbers released at the carrier (the local pool's rows were freed in the batch; an http
 * carrier is told). A failure is logged and not retried (orgs/lifecycle.ts).
 */
export const resourceHooks: OrgHooks = {
  deletionStatements: deleteOrgResourcesStatements,
  afterDeletion: async (env, org) => {
    const done = await Promise.allSettled([
      destroyOrgConcurrency(env, org.id),
      carrierFor(env, makeDb(env.DB)).releaseNumbers(org.id),
    ]);
    const failed = done.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  },
};
