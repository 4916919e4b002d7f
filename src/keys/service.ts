import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { AppError } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import { apiKeyCache } from "../auth/cache";
import { mintApiKey } from "../auth/token-format";
import { API_KEY_FORBIDDEN, type Scope } from "../auth/scopes";
import { grantScopes, resolveExpiry } from "../account/tokens";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * Creates an org API key. Its scopes are a subset of the creator's effective scopes in
 * this org and never include `organizations:delete`. `extra` statements (the audit entry)
 * join the same batch.
 */
export async function createApiKey(
  db: Db,
  orgId: string,
  createdBy: string | null,
  creatorScopes: Set<Scope>,
  input: { name: string; scopes?: Scope[]; expires_at?: number | null; expires_in_days?: number },
  extra: (row: ApiKeyRow) => BatchItem<"sqlite">[] = () => [],
): Promise<{ row: ApiKeyRow; token: string }> {
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
    createdBy,
    expiresAt,
    lastUsedAt: null,
    revokedAt: null,
    createdAt: Date.now(),
  };
  await db.batch([db.insert(apiKeys).values(row), ...extra(row)]);
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

/** Revokes a key; `extra` statements (the audit entry) are written only if it was revoked. */
export async function revokeApiKey(
  db: Db,
  orgId: string,
  keyId: string,
  extra: BatchItem<"sqlite">[] = [],
): Promise<void> {
  let rows: { hash: string }[];
  try {
    [rows] = await db.batch([
      db
        .update(apiKeys)
        .set({ revokedAt: Date.now() })
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
        .returning({ hash: apiKeys.tokenHash }),
      abortUnlessChanged(db),
      ...extra,
    ]);
  } catch (err) {
    if (isStaleWrite(err)) throw new AppError("not_found", "API key not found.");
    throw err;
  }
  const hit = rows[0];
  if (hit) apiKeyCache.delete(hit.hash);
}
