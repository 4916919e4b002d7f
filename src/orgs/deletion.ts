import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { apiKeys, memberships, organizations, orgSlugHistory, type OrganizationRow } from "../db/schema";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { asBatch } from "../db/batch";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { forgetOrg } from "../auth/cache";
import { auditStatement } from "../audit/log";
import type { Actor } from "../auth/principal";
import { isForeignKeyViolation } from "./service";

/**
 * Deleting an organization is one D1 batch of every org-owned table's delete statements,
 * then the org row. Each capability registers its tables here (agents, knowledge bases,
 * phone numbers, conversations…), so the batch grows with the product and stays atomic.
 */
export type OrgDeletionHook = (db: Db, orgId: string) => BatchItem<"sqlite">[];
const deletionHooks: OrgDeletionHook[] = [];
export function onOrganizationDeleted(hook: OrgDeletionHook): void {
  deletionHooks.push(hook);
}

/**
 * Work after the batch committed, outside D1: clearing the org's Durable Object storage,
 * queueing the billing clean-up (cancel the Stripe subscription, delete the customer —
 * the billing capability registers that hook and completes it from its queue). Hooks run
 * in `waitUntil`; each must be idempotent, since a failure here is retried by re-running it.
 */
export type OrgDeletedHook = (env: Env, org: OrganizationRow) => Promise<void>;
const deletedHooks: OrgDeletedHook[] = [];
export function afterOrganizationDeleted(hook: OrgDeletedHook): void {
  deletedHooks.push(hook);
}

export async function runDeletedHooks(env: Env, org: OrganizationRow): Promise<void> {
  for (const hook of deletedHooks) {
    try {
      await hook(env, org);
    } catch (err) {
      console.error(
        JSON.stringify({ level: "error", event: "org_deleted_hook_failed", org_id: org.id, message: String(err) }),
      );
    }
  }
}

/**
 * Deletes an organization irreversibly. Refused (409) while it has child organizations —
 * checked first, and enforced by the parent_id foreign key should a child appear meanwhile.
 * The audit log is kept (its rows carry the org id but no foreign key): the record of who
 * deleted the org must outlive it, and no route can read it once the org is gone.
 * When the actor is a user, the batch first re-checks in the database that they still own
 * the org (the role the request was authorised with may come from a cache).
 */
export async function deleteOrganization(db: Db, org: OrganizationRow, actor: Actor): Promise<void> {
  const child = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.parentId, org.id))
    .limit(1);
  if (child.length > 0) throw hasChildren();
  const stmts: BatchItem<"sqlite">[] = [];
  if (actor.userId) {
    stmts.push(
      db
        .update(memberships)
        .set({ roles: sql`${memberships.roles}` })
        .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, actor.userId), eq(memberships.isOwner, 1))),
      abortUnlessChanged(db),
    );
  }
  for (const hook of deletionHooks) stmts.push(...hook(db, org.id));
  stmts.push(
    db.delete(apiKeys).where(eq(apiKeys.orgId, org.id)),
    db.delete(memberships).where(eq(memberships.orgId, org.id)),
    db.delete(orgSlugHistory).where(eq(orgSlugHistory.orgId, org.id)),
    db.delete(organizations).where(eq(organizations.id, org.id)),
    auditStatement(db, {
      orgId: org.id,
      actor,
      action: "organization.deleted",
      targetType: "organization",
      targetId: org.id,
      before: { slug: org.slug, name: org.name },
    }),
  );
  try {
    await db.batch(asBatch(stmts));
  } catch (err) {
    if (isForeignKeyViolation(err)) throw hasChildren();
    if (isStaleWrite(err)) throw new AppError("owner_required", "Only the organization owner can delete it.");
    throw err;
  } finally {
    forgetOrg(org);
  }
}

function hasChildren(): AppError {
  return new AppError("has_children", "Delete or move this organization's child organizations first.");
}
