import { and, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { asBatch } from "../db/batch";
import { organizations, orgSlugHistory, phoneNumbers, type OrganizationRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { DAY_MS } from "../lib/dates";
import { forgetOrg } from "../auth/cache";
import type { Actor } from "../auth/principal";
import { orgUpdatedStatement } from "../audit/log";
import type { OrgPatch } from "./schemas";
import { checkRequestedSlug, isUniqueViolation } from "./service";
import { toOrganizationView } from "./view";

export const SLUG_GRACE_MS = 30 * DAY_MS;

/**
 * The audit entry of a settings change: the fields sent, before and after, as the API
 * shows them (so the log reads like the requests that changed it).
 */
function settingsAudit(db: Db, before: OrganizationRow, after: OrganizationRow, patch: OrgPatch, actor: Actor) {
  const fields = Object.keys(patch) as (keyof OrgPatch)[];
  const pick = (o: OrganizationRow) => {
    const view = toOrganizationView(o);
    return Object.fromEntries(fields.map((f) => [f, view[f]]));
  };
  return orgUpdatedStatement(db, before.id, actor, pick(before), pick(after));
}

/**
 * Settings may name only numbers provisioned to this org (the phone_numbers table). A number
 * of another org is refused exactly like one that does not exist, so nothing tells whose it is.
 * A number leaves an org only with the org's deletion, so checking before the write suffices.
 */
async function requireOwnNumbers(db: Db, orgId: string, numbers: readonly string[]): Promise<void> {
  if (numbers.length === 0) return;
  const own = await db
    .select({ number: phoneNumbers.number })
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.orgId, orgId), inArray(phoneNumbers.number, [...numbers])));
  const have = new Set(own.map((r) => r.number));
  const foreign = numbers.filter((n) => !have.has(n));
  if (foreign.length > 0) {
    throw new AppError("unprocessable", `Not a number of this organization: ${foreign.join(", ")}.`, {
      errors: foreign.map((n) => ({
        field: `phone_numbers.${numbers.indexOf(n)}`,
        message: "not provisioned to this organization (see GET /admin/phone-numbers)",
      })),
    });
  }
}

/**
 * Applies a settings change and its audit entry in one batch. A slug rename keeps the old
 * slug resolving to this org for 30 days (public URLs change) and blocks others from
 * taking it meanwhile.
 */
export async function updateOrganizationSettings(
  db: Db,
  org: OrganizationRow,
  patch: OrgPatch,
  actor: Actor,
): Promise<OrganizationRow> {
  const now = Date.now();
  const set: Partial<OrganizationRow> = { updatedAt: now };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.avatar_url !== undefined) set.avatarUrl = patch.avatar_url;
  if (patch.billing_email !== undefined) set.billingEmail = patch.billing_email;
  if (patch.billing_address !== undefined) set.billingAddress = patch.billing_address;
  if (patch.phone_numbers !== undefined) {
    await requireOwnNumbers(db, org.id, patch.phone_numbers);
    set.phoneNumbers = patch.phone_numbers;
  }
  const stmts: BatchItem<"sqlite">[] = [];
  const newSlug = patch.slug?.toLowerCase();
  if (newSlug !== undefined && newSlug !== org.slug) {
    set.slug = await checkRequestedSlug(db, newSlug, org.id);
    // Taking back one of our own old slugs: its history row goes first.
    stmts.push(
      db.delete(orgSlugHistory).where(and(eq(orgSlugHistory.slug, newSlug), eq(orgSlugHistory.orgId, org.id))),
    );
  }
  const after: OrganizationRow = { ...org, ...set };
  stmts.push(db.update(organizations).set(set).where(eq(organizations.id, org.id)));
  if (set.slug) {
    stmts.push(
      db
        .insert(orgSlugHistory)
        .values({ slug: org.slug, orgId: org.id, expiresAt: now + SLUG_GRACE_MS })
        .onConflictDoUpdate({ target: orgSlugHistory.slug, set: { orgId: org.id, expiresAt: now + SLUG_GRACE_MS } }),
    );
  }
  stmts.push(settingsAudit(db, org, after, patch, actor));
  try {
    await db.batch(asBatch(stmts));
  } catch (err) {
    if (isUniqueViolation(err, "slug")) throw new AppError("slug_taken", `The slug "${set.slug}" is already taken.`);
    throw err;
  }
  forgetOrg(org);
  return after;
}
