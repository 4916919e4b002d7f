import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations, type OrganizationRow } from "../db/schema";
import { abortUnlessChanged, runGuarded } from "../db/guard";
import { AppError } from "../lib/errors";
import { forgetOrg } from "../auth/cache";
import { findOrg } from "../auth/org-lookup";
import type { Actor } from "../auth/principal";
import { auditStatement } from "../audit/log";

/**
 * Suspension: a partner above an org suspends and resumes it (the org cannot set its own
 * status). A suspended org keeps reading everything, but refuses what would make it act or
 * grow: starting calls, sending invitations (create, resend) and creating API keys, with
 * 403 `organization_suspended`. Calls already running may heartbeat and end.
 *
 * It does not cascade: each org's own status decides, so the call path reads one (cached)
 * row and never walks the tree; a partner suspends each org of a subtree it wants stopped.
 * Like every org row, the status is cached per isolate (auth/cache.ts): effective at once in
 * the isolate that changed it and everywhere within the cache TTL.
 */
export function refuseIfSuspended(org: Pick<OrganizationRow, "status">, action: string): void {
  if (org.status === "suspended") {
    throw new AppError(
      "organization_suspended",
      `This organization is suspended: it cannot ${action} until a partner resumes it (reads still work).`,
    );
  }
}

/** `refuseIfSuspended` for a service that has the org's id only (read through the org cache). */
export async function refuseIfSuspendedById(db: Db, orgId: string, action: string): Promise<void> {
  const org = await findOrg(db, orgId);
  if (org) refuseIfSuspended(org, action);
}

/**
 * Suspends (active → suspended) or resumes (suspended → active) an org, with its audit entry
 * in the same guarded batch. Asking for the state the org is already in changes nothing; an
 * org still provisioning (or failed to) cannot be suspended (409), since provisioning sets
 * its status when it completes.
 */
export async function setSuspended(
  db: Db,
  org: OrganizationRow,
  suspend: boolean,
  actor: Actor,
): Promise<OrganizationRow> {
  const from = suspend ? "active" : "suspended";
  const to = suspend ? "suspended" : "active";
  // The row as stored: the cached one may be up to a TTL old.
  const current = (await db.select().from(organizations).where(eq(organizations.id, org.id)).limit(1))[0];
  if (!current) throw new AppError("not_found", "Organization not found.");
  if (current.status === to) return current;
  if (current.status !== from) {
    throw new AppError("conflict", `The organization is ${current.status}; only an ${from} one can be ${to}.`);
  }
  const now = Date.now();
  await runGuarded(
    db,
    [
      db
        .update(organizations)
        .set({ status: to, updatedAt: now })
        .where(and(eq(organizations.id, org.id), eq(organizations.status, from))),
      abortUnlessChanged(db),
      auditStatement(db, {
        orgId: org.id,
        actor,
        action: suspend ? "organization.suspended" : "organization.resumed",
        targetType: "organization",
        targetId: org.id,
        before: { status: from },
        after: { status: to },
      }),
    ],
    "The organization's status changed concurrently; reload and retry.",
  );
  forgetOrg(current);
  return { ...current, status: to, updatedAt: now };
}
