import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { memberships, personalTokens } from "../db/schema";
import { AppError } from "../lib/errors";
import { DAY_MS } from "../lib/dates";
import { newId, sha256Hex } from "../lib/crypto";
import { patCache } from "../auth/cache";
import { mintPersonalToken } from "../auth/token-format";
import { parseRoles, scopesOfRoles, sortScopes, withImplied, type Scope } from "../auth/scopes";
import type { CreateTokenInput } from "./schemas";
import type { Limits } from "../quotas/limits";
import { batchWithinQuotas, personalTokensQuota } from "../quotas/quotas";

export type PersonalTokenRow = typeof personalTokens.$inferSelect;

/** Every scope the user holds in at least one organization: the ceiling of a PAT. */
export async function userScopeCeiling(db: Db, userId: string): Promise<Set<Scope>> {
  const rows = await db.select({ roles: memberships.roles }).from(memberships).where(eq(memberships.userId, userId));
  const out = new Set<Scope>();
  for (const r of rows) for (const s of scopesOfRoles(parseRoles(r.roles))) out.add(s);
  return out;
}

export function resolveExpiry(input: Pick<CreateTokenInput, "expires_at" | "expires_in_days">): number | null {
  if (input.expires_at !== undefined && input.expires_in_days !== undefined) {
    throw new AppError("validation_failed", "Give either expires_at or expires_in_days, not both.", {
      errors: [{ field: "expires_in_days", message: "conflicts with expires_at" }],
    });
  }
  if (input.expires_in_days !== undefined) return Date.now() + input.expires_in_days * DAY_MS;
  if (input.expires_at === undefined || input.expires_at === null) return null;
  if (input.expires_at <= Date.now()) {
    throw new AppError("validation_failed", "expires_at must be in the future.", {
      errors: [{ field: "expires_at", message: "must be in the future (epoch milliseconds)" }],
    });
  }
  return input.expires_at;
}

/** Requested scopes must be within `ceiling`; omitted means the whole ceiling. */
export function grantScopes(requested: Scope[] | undefined, ceiling: Set<Scope>): Scope[] {
  if (!requested) return sortScopes(ceiling);
  const over = requested.filter((s) => !withImplied(ceiling).has(s));
  if (over.length > 0)
    throw new AppError("insufficient_scope", `You cannot grant scopes you do not hold: ${over.join(", ")}.`);
  return sortScopes(requested);
}

export async function createPersonalToken(
  db: Db,
  userId: string,
  input: CreateTokenInput,
  limits: Limits,
): Promise<{ row: PersonalTokenRow; token: string }> {
  const expiresAt = resolveExpiry(input);
  const scopes = grantScopes(input.scopes, await userScopeCeiling(db, userId));
  const { token, hint } = mintPersonalToken();
  const row: PersonalTokenRow = {
    id: newId("pat"),
    userId,
    name: input.name,
    tokenHash: await sha256Hex(token),
    tokenHint: hint,
    scopes,
    expiresAt,
    lastUsedAt: null,
    revokedAt: null,
    createdAt: Date.now(),
  };
  await batchWithinQuotas(db, [personalTokensQuota(userId, limits)], [db.insert(personalTokens).values(row)]);
  return { row, token };
}

export async function listPersonalTokens(db: Db, userId: string, limit: number, before: string | null) {
  return db
    .select()
    .from(personalTokens)
    .where(
      and(
        eq(personalTokens.userId, userId),
        isNull(personalTokens.revokedAt),
        before ? lt(personalTokens.id, before) : undefined,
      ),
    )
    .orderBy(desc(personalTokens.id))
    .limit(limit + 1);
}

export async function revokePersonalToken(db: Db, userId: string, id: string): Promise<void> {
  const rows = await db
    .update(personalTokens)
    .set({ revokedAt: Date.now() })
    .where(and(eq(personalTokens.id, id), eq(personalTokens.userId, userId), isNull(personalTokens.revokedAt)))
    .returning({ hash: personalTokens.tokenHash });
  const hit = rows[0];
  if (!hit) throw new AppError("not_found", "Token not found.");
  patCache.delete(hit.hash);
}
