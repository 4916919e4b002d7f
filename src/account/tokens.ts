import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { memberships, personalTokens } from "../db/schema";
import { isStaleWrite, abortUnlessChanged } from "../db/guard";
import { AppError } from "../lib/errors";
import { DAY_MS, iso } from "../lib/dates";
import { newId, sha256Hex } from "../lib/crypto";
import { patCache } from "../auth/cache";
import { mintPersonalToken } from "../auth/token-format";
import { actorOfPrincipal, type UserPrincipal } from "../auth/principal";
import { type Power, UNLIMITED, withinPower } from "../auth/power";
import {
  ACCOUNT_SCOPES,
  GRANTED_ONLY_BY_NAME,
  intersect,
  parseRoles,
  scopesOfRoles,
  sortScopes,
  withImplied,
  type Scope,
} from "../auth/scopes";
import type { CreateTokenInput } from "./schemas";
import type { Limits } from "../quotas/limits";
import { batchWithinQuotas, personalTokensQuota } from "../quotas/quotas";
import { securityLogStatement, type Via } from "./security-log";

export type PersonalTokenRow = typeof personalTokens.$inferSelect;

/** Every scope the user holds in at least one organization. */
export async function userScopeCeiling(db: Db, userId: string): Promise<Set<Scope>> {
  const rows = await db.select({ roles: memberships.roles }).from(memberships).where(eq(memberships.userId, userId));
  const out = new Set<Scope>();
  for (const r of rows) for (const s of scopesOfRoles(parseRoles(r.roles))) out.add(s);
  return out;
}

/**
 * What the caller may put on a new PAT: a session, everything the user holds now (their
 * roles' scopes in every org, and the account scopes); a PAT, that ∩ its own scopes — a
 * token never mints a stronger one, and a demoted user's old token mints nothing they lost.
 */
export async function grantableBy(db: Db, caller: UserPrincipal): Promise<Set<Scope>> {
  const ceiling = withImplied([...(await userScopeCeiling(db, caller.userId)), ...ACCOUNT_SCOPES]);
  return caller.kind === "pat" ? intersect(ceiling, withImplied(caller.scopes)) : ceiling;
}

/** Which of the user's PATs the caller may see and revoke: a session all, a PAT those within its power. */
export function reachOf(caller: UserPrincipal): Power {
  return caller.kind === "pat"
    ? { scopes: withImplied(caller.scopes), expiresAt: caller.expiresAt, self: caller.tokenId }
    : UNLIMITED;
}

/**
 * The expiry of a new credential made by a caller that itself expires at `cap` (null = never):
 * never later than the caller, and the caller's own expiry when none is asked for.
 */
export function resolveExpiry(
  input: Pick<CreateTokenInput, "expires_at" | "expires_in_days">,
  cap: number | null,
): number | null {
  if (input.expires_at !== undefined && input.expires_in_days !== undefined) {
    throw new AppError("validation_failed", "Give either expires_at or expires_in_days, not both.", {
      errors: [{ field: "expires_in_days", message: "conflicts with expires_at" }],
    });
  }
  const field = input.expires_in_days !== undefined ? "expires_in_days" : "expires_at";
  const at = input.expires_in_days !== undefined ? Date.now() + input.expires_in_days * DAY_MS : input.expires_at;
  if (at === undefined) return cap;
  if (at !== null && at <= Date.now()) {
    throw new AppError("validation_failed", "expires_at must be in the future.", {
      errors: [{ field: "expires_at", message: "must be in the future (epoch milliseconds)" }],
    });
  }
  if (cap !== null && (at === null || at > cap)) {
    const message = `must not be later than the expiry of the credential making this request (${iso(cap)})`;
    throw new AppError("validation_failed", `A new credential cannot outlive this one: ${field} ${message}.`, {
      errors: [{ field, message }],
    });
  }
  return at;
}

/**
 * Requested scopes must be within `ceiling` (403 otherwise). Omitted means the whole ceiling
 * but for `byNameOnly`, the scopes granted only when asked for.
 */
export function grantScopes(
  requested: Scope[] | undefined,
  ceiling: Set<Scope>,
  byNameOnly: readonly Scope[] = [],
): Scope[] {
  if (!requested) {
    const scopes = sortScopes([...ceiling].filter((s) => !byNameOnly.includes(s)));
    if (scopes.length === 0) {
      throw new AppError("validation_failed", "This credential has no scope to pass on by default: name the scopes.", {
        errors: [{ field: "scopes", message: "required: name the scopes of the new credential" }],
      });
    }
    return scopes;
  }
  const over = requested.filter((s) => !withImplied(ceiling).has(s));
  if (over.length > 0)
    throw new AppError("insufficient_scope", `You cannot grant scopes you do not hold: ${over.join(", ")}.`);
  return sortScopes(requested);
}

/**
 * Creates a PAT for the caller's user: its scopes ⊆ what the caller may grant (omitted: all of
 * it but the account-management scopes, which are granted only by name), its expiry ≤ the
 * caller's. The token and its security-log row are one batch.
 */
export async function createPersonalToken(
  db: Db,
  caller: UserPrincipal,
  input: CreateTokenInput,
  via: Via,
  limits: Limits,
): Promise<{ row: PersonalTokenRow; token: string }> {
  const expiresAt = resolveExpiry(input, caller.kind === "pat" ? caller.expiresAt : null);
  const scopes = grantScopes(input.scopes, await grantableBy(db, caller), GRANTED_ONLY_BY_NAME);
  const { token, hint } = mintPersonalToken();
  const row: PersonalTokenRow = {
    id: newId("pat"),
    userId: caller.userId,
    name: input.name,
    tokenHash: await sha256Hex(token),
    tokenHint: hint,
    scopes,
    expiresAt,
    lastUsedAt: null,
    revokedAt: null,
    createdAt: Date.now(),
  };
  await batchWithinQuotas(
    db,
    [personalTokensQuota(caller.userId, limits)],
    [
      db.insert(personalTokens).values(row),
      securityLogStatement(db, {
        userId: caller.userId,
        action: "personal_token.created",
        targetId: row.id,
        actor: actorOfPrincipal(caller, via.requestId),
        client: via.client,
        details: { name: row.name, scopes: row.scopes, expires_at: row.expiresAt },
      }),
    ],
  );
  return { row, token };
}

/** One page of the user's active PATs the caller may reach, newest first. */
export async function listPersonalTokens(db: Db, caller: UserPrincipal, limit: number, before: string | null) {
  return db
    .select()
    .from(personalTokens)
    .where(
      and(
        eq(personalTokens.userId, caller.userId),
        isNull(personalTokens.revokedAt),
        withinPower(personalTokens, reachOf(caller)),
        before ? lt(personalTokens.id, before) : undefined,
      ),
    )
    .orderBy(desc(personalTokens.id))
    .limit(limit + 1);
}

/**
 * Revokes one of the user's PATs the caller may reach (any other is a 404, like one that does
 * not exist); its security-log row is in the same batch, written only if it was revoked.
 */
export async function revokePersonalToken(db: Db, caller: UserPrincipal, id: string, via: Via): Promise<void> {
  let rows: { hash: string }[];
  try {
    [rows] = await db.batch([
      db
        .update(personalTokens)
        .set({ revokedAt: Date.now() })
        .where(
          and(
            eq(personalTokens.id, id),
            eq(personalTokens.userId, caller.userId),
            isNull(personalTokens.revokedAt),
            withinPower(personalTokens, reachOf(caller)),
          ),
        )
        .returning({ hash: personalTokens.tokenHash }),
      abortUnlessChanged(db),
      securityLogStatement(db, {
        userId: caller.userId,
        action: "personal_token.revoked",
        targetId: id,
        actor: actorOfPrincipal(caller, via.requestId),
        client: via.client,
      }),
    ]);
  } catch (err) {
    if (isStaleWrite(err)) throw new AppError("not_found", "Token not found.");
    throw err;
  }
  const hit = rows[0];
  if (hit) patCache.delete(hit.hash);
}
