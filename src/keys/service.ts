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
 * Who stands behind a credential acting in an org, for the keys it makes: the user it is
 * bound to (a key made by a user is bound to them; a key made by a key inherits its binding,
 * so a bound key cannot launder itself into an unbound one) and when it expires (null = a
 * session, which stands for the user; a PAT or key caps what it makes at its own expiry).
 */
export type KeyIssuer = {
  createdBy: string | null;
  bound: boolean;
  expiresAt: number | null;
  /** The caller's own key id, when the caller is a key. */
  keyId: string | null;
};

export function issuerOf(p: Principal): KeyIssuer {
  switch (p.kind) {
    case "session":
      return { createdBy: p.userId, bound: true, expiresAt: null, keyId: null };
    case "pat":
      return { createdBy: p.userId, bound: true, expiresAt: p.expiresAt, keyId: null };
    case "api_key":
      return { createdBy: p.createdBy, bound: p.boundToCreator, expiresAt: p.expiresAt, keyId: p.keyId };
  }
}

/** Which of the org's keys a caller may see, revoke or keep: those within its power in the org. */
export function reachInOrg(issuer: KeyIssuer, scopes: Set<Scope>): Power {
  return { scopes, expiresAt: issuer.expiresAt, self: issuer.keyId };
}

/**
 * Creates an org API key: its scopes are a subset of the caller's effective scopes in this
 * org (`scopes`) and never a forbidden one, its expiry no later than the caller's; it is bound
 * to its creator (see auth/org-context.ts) unless the calling key is not. The key and its
 * audit entry are one batch, within the org's key quota. Refused (403) while the org is suspended.
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
    boundToCreator: issuer.bound && issuer.createdBy !== null,
    keptBy: null,
    keptAt: null,
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
        after: {
          name: row.name,
          scopes: row.scopes,
          expires_at: row.expiresAt,
          created_by: row.createdBy,
          bound_to_creator: row.boundToCreator,
        },
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

/** An active key of the org within the caller's power, or a 404. */
export async function findApiKey(db: Db, orgId: string, keyId: string, reach: Power): Promise<ApiKeyRow> {
  const row = (
    await db
      .select()
      .from(apiKeys)
      .where(
        and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt), withinPower(apiKeys, reach)),
      )
      .limit(1)
  )[0];
  if (!row) throw new AppError("not_found", "API key not found.");
  return row;
}

/**
 * An owner's explicit decision that a key outlives its creator: it stops being bound to them
 * and keeps its own scopes from now on, whoever leaves. Audited in the same batch; keeping a
 * key that is not bound changes nothing and answers the key as it is.
 */
export async function keepApiKey(db: Db, orgId: string, keyId: string, reach: Power, actor: Actor): Promise<ApiKeyRow> {
  const target = and(
    eq(apiKeys.id, keyId),
    eq(apiKeys.orgId, orgId),
    isNull(apiKeys.revokedAt),
    withinPower(apiKeys, reach),
  );
  const now = Date.now();
  try {
    const [rows] = await db.batch([
      db
        .update(apiKeys)
        .set({ boundToCreator: false, keptBy: actor.userId, keptAt: now })
        .where(and(target, eq(apiKeys.boundToCreator, true)))
        .returning(),
      abortUnlessChanged(db),
      auditStatement(db, {
        orgId,
        actor,
        action: "api_key.kept",
        targetType: "api_key",
        targetId: keyId,
        before: { bound_to_creator: true },
        after: { bound_to_creator: false },
      }),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("not_found", "API key not found.");
    // The cached key still says it is bound (and may say its creator's absence revokes it).
    apiKeyCache.delete(row.tokenHash);
    return row;
  } catch (err) {
    if (!isStaleWrite(err)) throw err;
    return findApiKey(db, orgId, keyId, reach);
  }
}
