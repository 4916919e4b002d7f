import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { AppError } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import { apiKeyCache } from "../auth/cache";
import { mintApiKey } from "../auth/token-format";
import { API_KEY_FORBIDDEN, type Scope } from "../auth/scopes";
import type { Actor, Principal } from "../auth/principal";
import { type Power, withinPower } from "../auth/power";
import { grantScopes, resolveExpiry } from "../account/tokens";
import type { CreateTokenInput } from "../account/schemas";
import { auditStatement } from "../audit/log";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { refuseIfSuspendedById } from "../orgs/suspension";
import type { Limits } from "../quotas/limits";
import { apiKeysQuota, batchWithinQuotas } from "../quotas/quotas";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * Who stands behind a credential acting in an org, for the keys it makes: the user recorded
 * as creator, and when it expires (null = a session, which stands for the user; a PAT or key
 * caps what it makes at its own expiry).
 */
export type KeyIssuer = {
  createdBy: string | null;
  expiresAt: number | null;
  /** The caller's own key id, when the caller is a key. */
  keyId: string | null;
};

export function issuerOf(p: Principal): KeyIssuer {
  switch (p.kind) {
    case "session":
      return { createdBy: p.userId, expiresAt: null, keyId: null };
    case "pat":
      return { createdBy: p.userId, expiresAt: p.expiresAt, keyId: null };
    case "api_key":
      return { createdBy: null, expiresAt: p.expiresAt, keyId: p.keyId };
  }
}

/** Which of the org's keys a caller may see or revoke: those within its power in the org. */
export function reachInOrg(issuer: KeyIssuer, scopes: Set<Scope>): Power {
  return { scopes, expiresAt: issuer.expiresAt, self: issuer.keyId };
}

/**
 * Creates an org API key: its scopes are a subset of the caller's effective scopes in this
 * org (`scopes`) and never a forbidden one, its expiry no later than the caller's. The key and
 * its audit entry are one batch, within the org's key quota. Refused (403) while the org is suspended.
 */
export async function createApiKey(
  db: Db,
  orgId: string,
  actor: Actor,
  issuer: KeyIssuer,
  scopes: Set<Scope>,
  input: CreateTokenInput,
  limits: Limits,
): Promise<{ row: ApiKeyRow; token: string }> {
  await refuseIfSuspendedById(db, orgId, "create API keys");
  const forbidden = input.scopes?.filter((s) => API_KEY_FORBIDDEN.includes(s)) ?? [];
  if (forbidden.length > 0) {
    throw new AppError("validation_failed", `An org API key cannot hold ${forbidden.join(", ")}.`, {
      errors: [{ field: "scopes", message: "organizations:delete and account scopes are not allowed on org API keys" }],
    });
  }
  const ceiling = new Set([...scopes].filter((s) => !API_KEY_FORBIDDEN.includes(s)));
  const granted = grantScopes(input.scopes, ceiling);
  const expiresAt = resolveExpiry(input, issuer.expiresAt);
  const { id, token, hint } = mintApiKey();
  const row: ApiKeyRow = {
    id,
    orgId,
    name: input.name,
    tokenHash: await sha256Hex(token),
    tokenHint: hint,
    scopes: granted,
    createdBy: issuer.createdBy,
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

/** One page of the org's active keys within the caller's power, newest first. */
export function listApiKeys(db: Db, orgId: string, reach: Power, limit: number, before: string | null) {
  return db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.orgId, orgId),
        isNull(apiKeys.revokedAt),
        withinPower(apiKeys, reach),
        before ? lt(apiKeys.id, before) : undefined,
      ),
    )
    .orderBy(desc(apiKeys.id))
    .limit(limit + 1);
}

/**
 * Revokes a key within the caller's power (any other is a 404); its audit entry is written in
 * the same batch, only if it was revoked.
 */
export async function revokeApiKey(db: Db, orgId: string, keyId: string, reach: Power, actor: Actor): Promise<void> {
  let rows: { hash: string }[];
  try {
    [rows] = await db.batch([
      db
        .update(apiKeys)
        .set({ revokedAt: Date.now() })
        .where(
          and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt), withinPower(apiKeys, reach)),
        )
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
