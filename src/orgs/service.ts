import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { dbErrorText } from "../db/batch";
import { memberships, organizations, type OrganizationRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { newId } from "../lib/crypto";
import { formatRoles, type Role } from "../auth/scopes";
import { rolesOf } from "../auth/org-context";
import type { Principal } from "../auth/principal";
import { isReservedSlug, notIdShaped, slugify, SLUG_RE, withSuffix } from "./slug";
import type { OrgLifecycle } from "./lifecycle";
import type { Limits } from "../quotas/limits";
import { batchWithinQuotas, orgCreationQuotas } from "../quotas/quotas";
import { isSlugFree } from "./queries";

export type CreateOrgInput = {
  name: string;
  slug?: string;
  parentId?: string | null;
  billingEmail?: string | null;
  creatorUserId: string | null;
  /**
   * Roles of the creator in the new org: `owner` for a top-level org, which its creator
   * owns; `admin` for a child, which its parent organization owns (`buildOrganizationRow`).
   * `owner` is never granted by a role list: it follows the org's owner.
   */
  creatorRoles: Role[];
};

/** Whether a slug may be taken now, and if not, why. */
export async function slugAvailability(db: Db, slug: string): Promise<"invalid" | "reserved" | "taken" | null> {
  if (!SLUG_RE.test(slug)) return "invalid";
  if (isReservedSlug(slug)) return "reserved";
  return (await isSlugFree(db, slug)) ? null : "taken";
}

/**
 * The user who becomes a member of an org this principal creates. An API key creates on
 * behalf of the user who made it, while that user still belongs to the key's org: someone
 * who left must not gain a seat in a new child.
 */
export async function creatorOf(db: Db, principal: Principal): Promise<string | null> {
  if (principal.kind !== "api_key") return principal.userId;
  const { createdBy } = principal;
  return createdBy && (await rolesOf(db, createdBy, principal.orgId)) ? createdBy : null;
}

/** Validates a requested slug: format, reserved words, availability (409). */
export async function checkRequestedSlug(db: Db, slug: string, exceptOrgId?: string): Promise<string> {
  const s = slug.toLowerCase();
  if (!SLUG_RE.test(s)) {
    throw new AppError("validation_failed", "Slug may contain only Latin letters, digits and hyphens.", {
      errors: [
        { field: "slug", message: "Use a-z, 0-9 and hyphens; no leading or trailing hyphen; at most 63 characters." },
      ],
    });
  }
  if (isReservedSlug(s)) throw new AppError("slug_reserved", `The slug "${s}" is reserved.`);
  if (!(await isSlugFree(db, s, exceptOrgId))) throw new AppError("slug_taken", `The slug "${s}" is already taken.`);
  return s;
}

/** A free slug derived from `base`, adding a short suffix when the plain one is taken. */
export async function generateSlug(db: Db, base: string): Promise<string> {
  // Never a reserved slug: not id-shaped, and a reserved word gets a suffix below.
  const root = notIdShaped(slugify(base));
  let candidate = root;
  for (let i = 0; i < 6; i++) {
    if (!isReservedSlug(candidate) && (await isSlugFree(db, candidate))) return candidate;
    candidate = withSuffix(root);
  }
  throw new AppError("conflict", "Could not find a free slug; please choose one.");
}

/**
 * The new org's row. Its owner: a top-level org is owned by its creator; a child, created
 * through the partner console, by its parent organization until a partner hands ownership
 * to one of its members.
 */
export function buildOrganizationRow(input: CreateOrgInput, slug: string): OrganizationRow {
  const parentId = input.parentId ?? null;
  const now = Date.now();
  return {
    id: newId("org"),
    slug,
    name: input.name,
    parentId,
    status: "provisioning",
    avatarUrl: null,
    billingEmail: input.billingEmail ?? null,
    billingAddress: null,
    phoneNumbers: [],
    plan: "free",
    concurrencyLimit: 1,
    // A partner's client is billed to the partner unless the partner says otherwise.
    billingMode: parentId ? "parent" : "own",
    concurrencyCap: null,
    domain: null,
    domainSetupStatus: "none",
    createdBy: input.creatorUserId,
    ownerUserId: parentId ? null : input.creatorUserId,
    ownerOrgId: parentId,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The statements that create an org and its creator membership, and the rows every
 * capability creates with it (`lifecycle`), so org creation stays one batch. The owner's
 * membership of a user-owned org is written by the org insert itself (a trigger of
 * migration 0007), so only a child's creator membership is inserted here.
 */
export function organizationStatements(
  db: Db,
  lifecycle: OrgLifecycle,
  org: OrganizationRow,
  input: CreateOrgInput,
): BatchItem<"sqlite">[] {
  const stmts: BatchItem<"sqlite">[] = [db.insert(organizations).values(org)];
  const roles = input.creatorRoles.filter((r) => r !== "owner");
  if (input.creatorUserId && input.creatorUserId !== org.ownerUserId && roles.length > 0) {
    stmts.push(
      db.insert(memberships).values({
        orgId: org.id,
        userId: input.creatorUserId,
        roles: formatRoles(roles),
        createdAt: org.createdAt,
      }),
    );
  }
  stmts.push(...lifecycle.creationStatements(db, org));
  return stmts;
}

export function isUniqueViolation(err: unknown, hint?: string): boolean {
  const msg = dbErrorText(err);
  return (msg.includes("UNIQUE constraint failed") || msg.includes("slug_taken")) && (!hint || msg.includes(hint));
}

export function isForeignKeyViolation(err: unknown): boolean {
  return dbErrorText(err).includes("FOREIGN KEY constraint failed");
}

/**
 * Creates an organization with status `provisioning` and its creator membership in one
 * D1 batch. A concurrent request that took the slug first turns into a 409; a creator at
 * their organization quota (top-level orgs only, quotas/) into a 403. The caller runs
 * `lifecycle.afterCreation` once it returns.
 */
export async function createOrganization(
  db: Db,
  lifecycle: OrgLifecycle,
  input: CreateOrgInput,
  limits: Limits,
): Promise<OrganizationRow> {
  if (!input.parentId && !input.creatorUserId) {
    throw new AppError("forbidden", "A top-level organization needs a user to own it.");
  }
  const slug = input.slug ? await checkRequestedSlug(db, input.slug) : await generateSlug(db, input.name);
  const org = buildOrganizationRow(input, slug);
  try {
    await batchWithinQuotas(db, orgCreationQuotas(input, limits), organizationStatements(db, lifecycle, org, input));
  } catch (err) {
    if (isUniqueViolation(err, "slug")) throw new AppError("slug_taken", `The slug "${slug}" is already taken.`);
    throw err;
  }
  return org;
}
