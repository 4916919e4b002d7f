import { afterOrganizationCommitted, onOrganizationCreated } from "../orgs/service";
import { enqueueProvisioning, outboxStatements } from "./outbox";

let registered = false;

/**
 * Hooks provisioning into org creation: the outbox row joins the creation batch, and the
 * message is sent once it is committed (the cron re-sends it if that send never happens).
 */
export function registerProvisioning(): void {
  if (registered) return;
  registered = true;
  onOrganizationCreated((db, org) => outboxStatements(db, org));
  afterOrganizationCommitted((env, org) => enqueueProvisioning(env, [org.id]));
}
