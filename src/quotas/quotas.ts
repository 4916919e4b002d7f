import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { asBatch, dbErrorText } from "../db/batch";
import { AppError } from "../lib/errors";
import type { Limits } from "./limits";

/**
 * Counted quotas, exact under concurrency: the batch that creates a row ends with a guard per
 * quota that counts the live rows again, inside the same transaction, and rolls the whole
 * batch back when the count is over the limit (migration 0008, `quota_guard`). Nothing is
 * checked beforehand, so a resend or an update that adds no row is never refused.
 */
export type Quota = {
  name: string;
  limit: number;
  /** `SELECT count(*) …` of the rows the limit applies to, ids inlined (see `literal`). */
  count: string;
  detail: string;
};

/**
 * An id as an SQL literal. drizzle's D1 batch cannot bind parameters of raw statements, so
 * the guards inline their values: ids of our own making only (`newId`: prefix, `_`, base36).
 */
function literal(id: string): string {
  if (!/^[a-z]+_[a-z0-9]+$/.test(id)) throw new Error(`quota: not an id: ${JSON.stringify(id)}`);
  return `'${id}'`;
}

const int = (n: number) => String(Math.trunc(n));

/** Top-level organizations the user created (children never count). */
export function topLevelOrgsQuota(userId: string, limits: Limits): Quota {
  const n = limits.topLevelOrgsPerUser;
  return {
    name: "top_level_organizations",
    limit: n,
    count: `SELECT count(*) FROM organizations WHERE created_by = ${literal(userId)} AND parent_id IS NULL`,
    detail: `A user may create at most ${n} top-level organizations; delete one you no longer need.`,
  };
}

/** Of those, the ones on the free plan. */
export function freeOrgsQuota(userId: string, limits: Limits): Quota {
  const n = limits.freeOrgsPerUser;
  return {
    name: "free_organizations",
    limit: n,
    count:
      `SELECT count(*) FROM organizations WHERE created_by = ${literal(userId)} AND parent_id IS NULL` +
      " AND plan = 'free'",
    detail:
      `A user may create at most ${n} organizations on the free plan; delete one you no longer need ` +
      "(child organizations of a partner do not count).",
  };
}

/** The quotas a new organization counts against: none for a child or an org without a creating user. */
export function orgCreationQuotas(input: { parentId?: string | null; creatorUserId: string | null }, limits: Limits) {
  if (input.parentId || !input.creatorUserId) return [];
  return [topLevelOrgsQuota(input.creatorUserId, limits), freeOrgsQuota(input.creatorUserId, limits)];
}

export function pendingInvitationsQuota(orgId: string, limits: Limits, now = Date.now()): Quota {
  const n = limits.pendingInvitationsPerOrg;
  return {
    name: "pending_invitations",
    limit: n,
    count:
      `SELECT count(*) FROM invitations WHERE org_id = ${literal(orgId)} AND status = 'pending'` +
      ` AND expires_at > ${int(now)}`,
    detail: `An organization may have at most ${n} pending invitations; revoke one or wait until some are answered.`,
  };
}

export function apiKeysQuota(orgId: string, limits: Limits, now = Date.now()): Quota {
  const n = limits.apiKeysPerOrg;
  return {
    name: "api_keys",
    limit: n,
    count:
      `SELECT count(*) FROM api_keys WHERE org_id = ${literal(orgId)} AND revoked_at IS NULL` +
      ` AND (expires_at IS NULL OR expires_at > ${int(now)})`,
    detail: `An organization may have at most ${n} active API keys; revoke one first.`,
  };
}

export function personalTokensQuota(userId: string, limits: Limits, now = Date.now()): Quota {
  const n = limits.patsPerUser;
  return {
    name: "personal_access_tokens",
    limit: n,
    count:
      `SELECT count(*) FROM personal_tokens WHERE user_id = ${literal(userId)} AND revoked_at IS NULL` +
      ` AND (expires_at IS NULL OR expires_at > ${int(now)})`,
    detail: `A user may have at most ${n} active personal access tokens; revoke one first.`,
  };
}

/** The guard statement of a quota, as SQL (for D1 batches of prepared statements). */
export function quotaGuardSql(q: Quota): string {
  if (!/^[a-z_]+$/.test(q.name)) throw new Error(`quota: bad name ${q.name}`);
  return `INSERT INTO quota_guard (quota) SELECT '${q.name}' WHERE (${q.count}) > ${int(q.limit)}`;
}

/** The guard statement of a quota, for a drizzle batch: after the statements that add the row. */
export function quotaGuard(db: Db, q: Quota): BatchItem<"sqlite"> {
  return db.run(sql.raw(quotaGuardSql(q)));
}

export function isQuotaExceeded(err: unknown): boolean {
  return dbErrorText(err).includes("quota_exceeded");
}

/** The 403 of a batch a guard rolled back: the first of `quotas` that is full now. */
export async function quotaError(db: Db, quotas: Quota[]): Promise<AppError> {
  for (const q of quotas) {
    const row = await db.get<{ n: number }>(sql.raw(`SELECT (${q.count}) AS n`));
    if ((row?.n ?? 0) >= q.limit) return new AppError("quota_exceeded", q.detail);
  }
  const first = quotas[0];
  return new AppError("quota_exceeded", first?.detail ?? "Quota exceeded.");
}

/**
 * Runs `stmts` as one batch ending with the guards of `quotas`. An exceeded quota rolls the
 * batch back and becomes 403 `quota_exceeded`; other errors pass through. Returns the results
 * of `stmts`.
 */
export async function batchWithinQuotas(db: Db, quotas: Quota[], stmts: BatchItem<"sqlite">[]): Promise<unknown[]> {
  try {
    return await db.batch(asBatch([...stmts, ...quotas.map((q) => quotaGuard(db, q))]));
  } catch (err) {
    if (isQuotaExceeded(err)) throw await quotaError(db, quotas);
    throw err;
  }
}
