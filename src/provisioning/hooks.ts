import type { OrgHooks } from "../orgs/lifecycle";
import { enqueueProvisioning, outboxStatements } from "./outbox";

/**
 * Provisioning's part in org creation: the outbox row joins the creation batch, and the
 * message is sent once it is committed (the cron re-sends it if that send never happens).
 * Its rows of a deleted org go with the resources' (resources/cleanup.ts).
 */
export const provisioningHooks: OrgHooks = {
  creationStatements: (db, org) => outboxStatements(db, org),
  afterCreation: (env, org) => enqueueProvisioning(env, [org.id]),
};
