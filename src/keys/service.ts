import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { AppError } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import { apiKeyCache } from "../auth/cache";
import { mintApiKey } from "../auth/token-format";
import { API_KEY_FORBIDDEN, type Scope } from "../auth/scopes";
import type { Actor } from "../auth/principal";
import { grantScopes, resolveExpiry } from "../account/tokens";
import type { CreateTokenInput } from "../account/schemas";
import { auditStatement } from "../audit/log";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { refuseIfSuspendedById } from "../orgs/suspension";
import type { Limits } from "../quotas/limits";
import { apiKeysQuota, batchWithinQuotas } from "../quotas/quotas";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * Creates an org API key on behalf of `actor` (its user, if any, is recorded as the
 * creator). Its scopes are a subset of the actor's effective scopes in this org and never
 * include `organizations:delete`. The key and its audit entry are one batch. Refused (403)
 * while the org is suspended.
 */
export async function createApiKey(
  db: Db,
  orgId: string,
  actor: Actor,
  creatorScopes: Set<Scope>,
  input: CreateTokenInput,
  limits: Limits,
): Promise<{ row: ApiKeyRow; token: string }> {
  await refuseIfSuspendedById(db, orgId, "create API keys");
  if (input.scopes?.some((s) => API_KEY_FORBIDDEN.includes(s))) {
    throw new AppError("validation_failed", "An org API key cannot hold organizations:delete.", {
      errors: [{ field: "scopes", message: "organizations:delete is not allowed on API keys" }],
    });
  }
  const ceiling = new Set([...creatorScopes].filter((s) => !API_KEY_FORBIDDEN.includes(s)));
  const scopes = grantScopes(input.scopes, ceiling);
  const expiresAt = resolveExpiry(input);
  const { id, token, hint } = mintApiKey();
  const row: ApiKeyRow = {
    id,
    orgId,
    name: input.name,
    tokenHash: await sha256Hex(token),
    tokenHint: hint,
    scopes,
    createdBy: actor.userId,
    expiresAt,
    lastUsedAt: null,
    revokedAt: null,
    createdAt: Date.now(),
  };
  await batchWithinQuotas(
    db,
    [apiKeysQuota(orgId, limits)],
    [
      db.insert(apiKeys).values(row),
      auditStatement(db, {
        orgId,
        actor,
        action: "api_key.created",
        targetType: "api_key",
        targetId: row.id,
        after: { name: row.name, scopes: row.scopes, expires_at: row.expiresAt },
      }),
    ],
  );
  return { row, token };
}

export function listApiKeys(db: Db, orgId: string, limit: number, before: string | null) {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt), before ? lt(apiKeys.id, before) : undefined))
    .orderBy(desc(apiKeys.id))
    .limit(limit + 1);
}

/** Revokes a key; its audit entry is written in the same batch, only if it was revoked. */
export async function revokeApiKey(db: Db, orgId: string, keyId: string, actor: Actor): Promise<void> {
  let rows: { hash: string }[];
  try {
    [rows] = await db.batch([
      db
        .update(apiKeys)
        .set({ revokedAt: Date.now() })
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
        .returning({ hash: apiKeys.tokenHash }),
      abortUnlessChanged(db),
      auditStatement(db, { orgId, actor, action: "api_key.revoked", targetType: "api_key", targetId: keyId }),
    ]);
  } catch (err) {
    if (isStaleWrite(err)) throw new AppError("not_found", "API key not found.");
    throw err;
  }
  const hit = rows[0];
  if (hit) apiKeyCache.delete(hit.hash);
}
