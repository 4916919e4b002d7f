import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import type { OrganizationRow } from "../db/schema";
import type { Env } from "../env";

type Statements = BatchItem<"sqlite">[];

/**
 * What one capability does when an organization is created or deleted. Each capability
 * exports its hooks as a plain value and app.ts lists them all once (`ORG_HOOKS`): nothing
 * takes part in an org's life by being imported, and the list says who does.
 */
export type OrgHooks = {
  /** Rows that must exist atomically with a new org (the provisioning outbox): joins its batch. */
  creationStatements?: (db: Db, org: OrganizationRow) => Statements;
  /** Work once the new org is committed, outside D1 (enqueueing provisioning); runs in `waitUntil`. */
  afterCreation?: (env: Env, org: OrganizationRow) => Promise<void>;
  /** Deletes of every row the capability keeps for the org: joins the deletion batch. */
  deletionStatements?: (db: Db, orgId: string) => Statements;
  /** Clean-up outside D1 once the deletion is committed (Durable Object storage); runs in `waitUntil`. */
  afterDeletion?: (env: Env, org: OrganizationRow) => Promise<void>;
};

/** Every capability's hooks as one: what org creation and deletion call. */
export type OrgLifecycle = Required<OrgHooks>;

/** Composes the capabilities' hooks; statements keep the order of `parts`. */
export function composeLifecycle(parts: readonly OrgHooks[]): OrgLifecycle {
  return {
    creationStatements: (db, org) => parts.flatMap((p) => p.creationStatements?.(db, org) ?? []),
    // A failure ends the rest and is left to waitUntil: the provisioning cron re-sends an
    // outbox row whose message was never sent.
    afterCreation: async (env, org) => {
      for (const p of parts) await p.afterCreation?.(env, org);
    },
    deletionStatements: (db, orgId) => parts.flatMap((p) => p.deletionStatements?.(db, orgId) ?? []),
    // The org is gone whatever happens here, so one failing clean-up must not stop the others.
    // Nothing retries a failure: it is logged, and each clean-up must be safe to run again.
    afterDeletion: async (env, org) => {
      for (const p of parts) {
        try {
          await p.afterDeletion?.(env, org);
        } catch (err) {
          console.error(
            JSON.stringify({ level: "error", event: "org_deleted_hook_failed", org_id: org.id, message: String(err) }),
          );
        }
      }
    },
  };
}
