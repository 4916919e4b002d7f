import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { apiKeys, memberships, organizations, orgSlugHistory, type OrganizationRow } from "../db/schema";
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
 * Deletes an organization irreversibly, in one D1 batch: every capability's rows
 * (`lifecycle.deletionStatements`), then the org's own tables and the org row, so the
 * deletion stays atomic as the product grows. The caller runs `lifecycle.afterDeletion`
 * (clean-up outside D1, such as the org's Durable Object storage) once it returns.
 * The provider's billing records are not touched: the billing_accounts row goes with the
 * batch, but nothing cancels the subscription or deletes the customer at the provider yet.
 *
 * Refused (409) while it has child organizations — checked first, and enforced by the
 * parent_id foreign key should a child appear meanwhile. The audit log is kept (its rows
 * carry the org id but no foreign key): the record of who deleted the org must outlive it,
 * and no route can read it once the org is gone. When the actor is a user, the batch first
 * re-checks in the database that they still own the org (the role the request was
 * authorised with may come from a cache).
 */
export async function deleteOrganization(
  db: Db,
  lifecycle: OrgLifecycle,
  org: OrganizationRow,
  actor: Actor,
): Promise<void> {
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
  stmts.push(...lifecycle.deletionStatements(db, org.id));
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
