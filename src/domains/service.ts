import { and, asc, eq, inArray, lte, ne } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { makeDb } from "../db/client";
import { asBatch } from "../db/batch";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { organizations, orgDomains, type DomainStatus, type OrgDomainRow } from "../db/schema";
import { domainProviderFor, type DomainCheck } from "../adapters/domains";
import { positiveVar, type Env } from "../env";
import { AppError, notFound } from "../lib/errors";
import { randomBase62 } from "../lib/crypto";
import { DAY_MS } from "../lib/dates";
import type { Actor } from "../auth/principal";
import { forgetOrg } from "../auth/cache";
import { orgUpdatedStatement } from "../audit/log";
import { isUniqueViolation } from "../orgs/service";
import { effectiveBrandingOf, publicOf } from "../branding/service";
import { configureSiteCacheTtl, forgetSite, type Site, siteCache } from "../branding/site-cache";
import { normalizeDomain } from "./hostnames";
import { takeOrRefuse } from "../lib/rate-limiter";

export const CHALLENGE_PREFIX = "_anyreach-challenge";
const MINUTE_MS = 60_000;
/** Pending domains are re-checked after 1, 2, 4 … minutes, at most hourly. */
const MAX_PENDING_DELAY_MS = 60 * MINUTE_MS;
/** Domains the cron re-checks per run (it runs every minute). */
export const RECHECK_BATCH = 25;

export const verifyTimeoutMs = (env: Env) => positiveVar(env.DOMAIN_VERIFY_TIMEOUT_HOURS, 72) * 3_600_000;
export const pendingDelayMs = (attempts: number) => Math.min(MAX_PENDING_DELAY_MS, MINUTE_MS * 2 ** attempts);

export function cnameTargetOf(env: Env): string {
  if (env.DOMAIN_CNAME_TARGET) return env.DOMAIN_CNAME_TARGET;
  try {
    return new URL(env.APP_URL).hostname;
  } catch {
    return "";
  }
}

export type DomainState = OrgDomainRow & { cnameTarget: string };

/**
 * Claims and checks an org asks for reach the domain provider (Cloudflare's API, a DNS
 * resolver), which has quotas of its own: DOMAIN_CHECKS_PER_HOUR per org (default 30) keeps
 * a looping client from spending them. The cron's re-checks are not counted.
 */
async function throttleProviderCalls(env: Env, orgId: string): Promise<void> {
  const limit = positiveVar(env.DOMAIN_CHECKS_PER_HOUR, 30);
  await takeOrRefuse(
    env.RATE_LIMITER,
    `domain-check:${orgId}`,
    { limit, windowSeconds: 3_600 },
    { code: "rate_limited", detail: `At most ${limit} domain claims and checks an hour; try again later.` },
  );
}

async function rowOf(db: Db, orgId: string): Promise<OrgDomainRow | undefined> {
  return (await db.select().from(orgDomains).where(eq(orgDomains.orgId, orgId)).limit(1))[0];
}

export async function getDomain(env: Env, db: Db, orgId: string): Promise<DomainState> {
  const row = await rowOf(db, orgId);
  if (!row) throw notFound("Custom domain");
  return { ...row, cnameTarget: cnameTargetOf(env) };
}

/**
 * The writes of a state change: the domain row (only while it is still this domain, and in
 * `from` when given), a guard that aborts the batch when that changed nothing (a concurrent
 * release, replace or check won), and the `organizations.domain_setup_status` mirror.
 */
function stateStatements(
  db: Db,
  row: { orgId: string; domain: string },
  set: Partial<OrgDomainRow>,
  from?: DomainStatus,
) {
  const where = and(
    eq(orgDomains.orgId, row.orgId),
    eq(orgDomains.domain, row.domain),
    ...(from ? [eq(orgDomains.status, from)] : []),
  );
  const stmts: BatchItem<"sqlite">[] = [db.update(orgDomains).set(set).where(where), abortUnlessChanged(db)];
  if (set.status) {
    stmts.push(
      db
        .update(organizations)
        .set({ domainSetupStatus: set.status })
        .where(and(eq(organizations.id, row.orgId), eq(organizations.domain, row.domain))),
    );
  }
  return asBatch(stmts);
}

/** Applies a state change; false when a concurrent change won (nothing was written). */
async function applyState(db: Db, row: OrgDomainRow, set: Partial<OrgDomainRow>, from?: DomainStatus) {
  try {
    await db.batch(stateStatements(db, row, set, from));
  } catch (err) {
    if (isStaleWrite(err)) return false;
    throw err;
  }
  forgetSite(row.domain);
  if (set.status) forgetOrg({ id: row.orgId });
  return true;
}

/**
 * Claims `input` for the org (replacing a domain it had): one batch writes the domain row and
 * `organizations.domain`, whose UNIQUE index decides a race (the loser gets 409 domain_taken).
 * Then the provider registers it (Cloudflare may hand back its own TXT record); if it refuses,
 * the claim is undone. Claiming the domain the org already has changes nothing. A domain another
 * org holds but failed to verify is not held: the new claim takes it over (so an unverified claim
 * blocks a domain at most until its verification times out).
 */
export async function claimDomain(
  env: Env,
  db: Db,
  org: { id: string; domain: string | null },
  input: string,
  actor: Actor,
): Promise<DomainState> {
  const domain = normalizeDomain(env, input);
  const current = await rowOf(db, org.id);
  if (current?.domain === domain) return { ...current, cnameTarget: cnameTargetOf(env) };
  await throttleProviderCalls(env, org.id);
  const now = Date.now();
  const token = randomBase62(32);
  const challenge = { name: `${CHALLENGE_PREFIX}.${domain}`, value: `anyreach-verify=${token}` };
  const row: OrgDomainRow = {
    orgId: org.id,
    domain,
    status: "pending",
    token,
    txtName: challenge.name,
    txtValue: challenge.value,
    providerRef: null,
    reason: null,
    attempts: 0,
    pendingSince: now,
    checkedAt: null,
    nextCheckAt: now + MINUTE_MS,
    activatedAt: null,
    createdAt: now,
  };
  // A failed claim of another org does not hold the domain: the new claim takes it over.
  const failedHolder = (
    await db
      .select({ orgId: orgDomains.orgId })
      .from(orgDomains)
      .where(and(eq(orgDomains.domain, domain), eq(orgDomains.status, "failed"), ne(orgDomains.orgId, org.id)))
      .limit(1)
  )[0];
  const takeover: BatchItem<"sqlite">[] = failedHolder
    ? [
        db
          .delete(orgDomains)
          .where(
            and(
              eq(orgDomains.orgId, failedHolder.orgId),
              eq(orgDomains.domain, domain),
              eq(orgDomains.status, "failed"),
            ),
          ),
        db
          .update(organizations)
          .set({ domain: null, domainSetupStatus: "none", updatedAt: now })
          .where(and(eq(organizations.id, failedHolder.orgId), eq(organizations.domain, domain))),
      ]
    : [];
  try {
    await db.batch(
      asBatch([
        ...takeover,
        db.delete(orgDomains).where(eq(orgDomains.orgId, org.id)),
        db.insert(orgDomains).values(row),
        db
          .update(organizations)
          .set({ domain, domainSetupStatus: "pending", updatedAt: now })
          .where(eq(organizations.id, org.id)),
        orgUpdatedStatement(db, org.id, actor, { domain: current?.domain ?? null }, { domain }),
      ]),
    );
  } catch (err) {
    if (isUniqueViolation(err, "domain")) {
      throw new AppError("domain_taken", `The domain ${domain} is already claimed by another organization.`);
    }
    throw err;
  }
  forgetSite(current?.domain);
  forgetSite(domain);
  forgetOrg({ id: org.id });
  if (failedHolder) forgetOrg({ id: failedHolder.orgId });
  const provider = domainProviderFor(env, db);
  if (current) await releaseAtProvider(env, db, current);
  try {
    const { txt, providerRef } = await provider.register(domain, challenge);
    row.txtName = txt.name;
    row.txtValue = txt.value;
    row.providerRef = providerRef;
    if (txt.name !== challenge.name || txt.value !== challenge.value || providerRef) {
      await db
        .update(orgDomains)
        .set({ txtName: txt.name, txtValue: txt.value, providerRef })
        .where(and(eq(orgDomains.orgId, org.id), eq(orgDomains.domain, domain)));
    }
  } catch (err) {
    await db.batch([
      db.delete(orgDomains).where(and(eq(orgDomains.orgId, org.id), eq(orgDomains.domain, domain))),
      db
        .update(organizations)
        .set({ domain: null, domainSetupStatus: "none" })
        .where(and(eq(organizations.id, org.id), eq(organizations.domain, domain))),
    ]);
    forgetOrg({ id: org.id });
    // Down or slow is not a refusal: the claim is undone and the caller may simply retry.
    if (err instanceof AppError && err.code === "provider_unavailable") throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new AppError("unprocessable", `The domain provider did not accept ${domain}: ${why}`, {
      errors: [{ field: "domain", message: "refused by the domain provider" }],
    });
  }
  return { ...row, cnameTarget: cnameTargetOf(env) };
}

async function releaseAtProvider(env: Env, db: Db, row: { domain: string; providerRef: string | null }) {
  try {
    await domainProviderFor(env, db).release({ domain: row.domain, providerRef: row.providerRef });
  } catch (err) {
    console.error(
      JSON.stringify({ level: "error", event: "domain_release_failed", domain: row.domain, message: String(err) }),
    );
  }
}

/** Releases the org's domain at once: the host stops resolving to it in this isolate now. */
export async function releaseDomain(env: Env, db: Db, orgId: string, actor: Actor): Promise<void> {
  const row = await rowOf(db, orgId);
  if (!row) throw notFound("Custom domain");
  await db.batch([
    db.delete(orgDomains).where(eq(orgDomains.orgId, orgId)),
    db
      .update(organizations)
      .set({ domain: null, domainSetupStatus: "none", updatedAt: Date.now() })
      .where(and(eq(organizations.id, orgId), eq(organizations.domain, row.domain))),
    orgUpdatedStatement(db, orgId, actor, { domain: row.domain }, { domain: null }),
  ]);
  forgetSite(row.domain);
  forgetOrg({ id: orgId });
  await releaseAtProvider(env, db, row);
}

async function checkSafely(env: Env, db: Db, row: OrgDomainRow): Promise<DomainCheck | null> {
  try {
    return await domainProviderFor(env, db).check({
      domain: row.domain,
      txt: { name: row.txtName, value: row.txtValue },
      providerRef: row.providerRef,
    });
  } catch (err) {
    console.error(
      JSON.stringify({ level: "warn", event: "domain_check_failed", domain: row.domain, message: String(err) }),
    );
    return null;
  }
}

/** `POST …/domain/verify`: checks now and applies the answer as it is (missing record → failed). */
export async function verifyDomain(env: Env, db: Db, orgId: string): Promise<DomainState> {
  const row = await rowOf(db, orgId);
  if (!row) throw notFound("Custom domain");
  await throttleProviderCalls(env, orgId);
  const now = Date.now();
  const check = await checkSafely(env, db, row);
  let set: Partial<OrgDomainRow>;
  if (!check) {
    set = { checkedAt: now, reason: "The DNS check could not be completed; try again shortly." };
  } else if (check.status === "active") {
    set = activeSet(row, now);
  } else if (check.status === "pending") {
    set = {
      status: "pending",
      reason: check.reason,
      checkedAt: now,
      pendingSince: row.status === "pending" ? row.pendingSince : now,
      attempts: row.status === "pending" ? row.attempts : 0,
      nextCheckAt: now + MINUTE_MS,
    };
  } else {
    set = { status: "failed", reason: check.reason, checkedAt: now };
  }
  if (!(await applyState(db, row, set))) return getDomain(env, db, orgId);
  return { ...row, ...set, cnameTarget: cnameTargetOf(env) };
}

function activeSet(row: OrgDomainRow, now: number): Partial<OrgDomainRow> {
  return {
    status: "active",
    reason: null,
    checkedAt: now,
    attempts: 0,
    pendingSince: null,
    activatedAt: row.status === "active" ? row.activatedAt : now,
    nextCheckAt: now + DAY_MS,
  };
}

/**
 * The cron's part (every minute, at most RECHECK_BATCH domains a run): pending domains are
 * re-checked with backoff and become failed ("timed out") after DOMAIN_VERIFY_TIMEOUT_HOURS
 * (72 h); active ones are re-checked daily and become failed if their record is gone. A write
 * is conditional on the row being unchanged, so a concurrent release or verify wins.
 */
export async function recheckDomains(env: Env, now = Date.now(), limit = RECHECK_BATCH): Promise<number> {
  const db = makeDb(env.DB);
  const due = await db
    .select()
    .from(orgDomains)
    .where(and(inArray(orgDomains.status, ["pending", "active"]), lte(orgDomains.nextCheckAt, now)))
    .orderBy(asc(orgDomains.nextCheckAt))
    .limit(limit);
  const timeout = verifyTimeoutMs(env);
  for (const row of due) {
    const check = await checkSafely(env, db, row);
    let set: Partial<OrgDomainRow>;
    if (row.status === "active") {
      set =
        check?.status === "failed"
          ? { status: "failed", reason: `No longer verified: ${check.reason ?? "check failed"}`, checkedAt: now }
          : { checkedAt: now, nextCheckAt: now + (check ? DAY_MS : MAX_PENDING_DELAY_MS) };
    } else if (check?.status === "active") {
      set = activeSet(row, now);
    } else if (now - (row.pendingSince ?? row.createdAt) >= timeout) {
      const hours = Math.round(timeout / 3_600_000);
      set = {
        status: "failed",
        reason: `Verification timed out after ${hours} h${check?.reason ? `: ${check.reason}` : "."}`,
        checkedAt: now,
      };
    } else {
      set = {
        reason: check?.reason ?? row.reason,
        checkedAt: now,
        attempts: row.attempts + 1,
        nextCheckAt: now + pendingDelayMs(row.attempts + 1),
      };
    }
    await applyState(db, row, set, row.status);
  }
  return due.length;
}

/**
 * What `host` serves, if it is an active custom domain: its org and effective branding. The
 * answer (and "nothing", for any other host) is cached in the isolate, so an unknown host costs
 * what a known one does.
 */
export async function siteOf(env: Env, db: Db, host: string): Promise<Site | null> {
  configureSiteCacheTtl(env);
  const cached = siteCache.get(host);
  if (cached !== undefined) return cached;
  const row = (
    await db
      .select({ orgId: orgDomains.orgId })
      .from(orgDomains)
      .where(and(eq(orgDomains.domain, host), eq(orgDomains.status, "active")))
      .limit(1)
  )[0];
  const site = row
    ? { orgId: row.orgId, domain: host, branding: publicOf(row.orgId, await effectiveBrandingOf(db, row.orgId)) }
    : null;
  siteCache.set(host, site);
  return site;
}
