import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { apiKeys, organizations, orgSlugHistory, type OrganizationRow } from "../db/schema";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { asBatch } from "../db/batch";
import { AppError } from "../lib/errors";
import { forgetOrg } from "../auth/cache";
import { auditStatement } from "../audit/log";
import type { Actor } from "../auth/principal";
import type { OrgLifecycle } from "./lifecycle";
import { isForeignKeyViolation } from "./service";

/** The confirmation a deletion needs: the organization's current slug. */
export function confirmDeletion(org: OrganizationRow, slug: string): void {
  if (slug.trim().toLowerCase() !== org.slug) {
    throw new AppError("validation_failed", "Confirm by sending the organization's current slug.", {
      errors: [{ field: "slug", message: "must equal the organization's slug" }],
    });
  }
}

/**
 * Statements that abort the deletion batch unless the actor may still delete the org (the
 * authority a request was checked with may come from a cache), and the error to answer then.
 */
export type DeletionCheck = { statements: BatchItem<"sqlite">[]; refused: () => AppError };

/** The in-org deletion: a user actor must still own the org, re-checked in the database. */
export function ownerCheck(db: Db, org: OrganizationRow, actor: Actor): DeletionCheck {
  const statements: BatchItem<"sqlite">[] = actor.userId
    ? [
        db
          .update(organizations)
          .set({ updatedAt: sql`${organizations.updatedAt}` })
          .where(and(eq(organizations.id, org.id), eq(organizations.ownerUserId, actor.userId))),
        abortUnlessChanged(db),
      ]
    : [];
  return { statements, refused: () => new AppError("owner_required", "Only the organization owner can delete it.") };
}

/**
 * Deletes an organization irreversibly, in one D1 batch: every capability's rows
 * (`lifecycle.deletionStatements`), then the org's own tables and the org row, so the
 * deletion stays atomic as the product grows. The caller runs `lifecycle.afterDeletion`
 * (clean-up outside D1, such as the org's Durable Object storage) once it returns.
 * The billing account and its ledger go with the batch; billing's `afterDeletion` then
 * cancels the org's subscriptions at the provider through the billing queue (idempotently).
 *
 * Refused (409) while it has child organizations — checked first, and enforced by the
 * parent_id foreign key should a child appear meanwhile. The audit log is kept (its rows
 * carry the org id but no foreign key): the record of who deleted the org must outlive it,
 * and no route can read it once the org is gone. The batch first runs `check`, which
 * re-checks in the database that the actor may still delete it: by default (the in-org
 * route) that a user actor still owns it; the partner console passes its own.
 *
 * Memberships go with the org row (ON DELETE CASCADE), in the same statement: the owner's
 * membership cannot go before it (organizations.owner_membership references it).
 */
export async function deleteOrganization(
  db: Db,
  lifecycle: OrgLifecycle,
  org: OrganizationRow,
  actor: Actor,
  check: DeletionCheck = ownerCheck(db, org, actor),
): Promise<void> {
  const child = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.parentId, org.id))
    .limit(1);
  if (child.length > 0) throw hasChildren();
  const stmts: BatchItem<"sqlite">[] = [...check.statements];
  stmts.push(...lifecycle.deletionStatements(db, org.id));
  stmts.push(
    db.delete(apiKeys).where(eq(apiKeys.orgId, org.id)),
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
    if (isStaleWrite(err)) throw check.refused();
    throw err;
  } finally {
    forgetOrg(org);
  }
}

function hasChildren(): AppError {
  return new AppError("has_children", "Delete or move this organization's child organizations first.");
}
