import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys, personalTokens, sessions, users } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import { apiKeyCache, oidcUserCache, patCache, sessionCache, type CachedApiKey, type CachedPat } from "./cache";
import type { Principal } from "./principal";
import { isScope, type Scope } from "./scopes";
import { verifySessionToken } from "./session-token";
import { parseToken } from "./token-format";

type WaitUntil = { waitUntil(p: Promise<unknown>): void };
const LAST_USED_EVERY_MS = 60_000;
const lastUsedWritten = new Map<string, number>();

function scopesOf(stored: string[]): Scope[] {
  return stored.filter(isScope);
}

function checkLifecycle(c: { expiresAt: number | null; revoked: boolean }, what: string): void {
  if (c.revoked) throw new AppError("credential_revoked", `${what} has been revoked.`);
  if (c.expiresAt !== null && c.expiresAt <= Date.now())
    throw new AppError("credential_expired", `${what} has expired.`);
}

/** Writes `last_used_at` at most once a minute per credential, off the response path. */
function touch(db: Db, ctx: WaitUntil, kind: "pat" | "api_key", id: string): void {
  const now = Date.now();
  if (now - (lastUsedWritten.get(id) ?? 0) < LAST_USED_EVERY_MS) return;
  lastUsedWritten.set(id, now);
  if (lastUsedWritten.size > 50_000) lastUsedWritten.clear();
  const table = kind === "pat" ? personalTokens : apiKeys;
  ctx.waitUntil(
    db
      .update(table)
      .set({ lastUsedAt: now })
      .where(eq(table.id, id))
      .run()
      .catch(() => undefined),
  );
}

async function loadPat(db: Db, hash: string): Promise<CachedPat | null> {
  const cached = patCache.get(hash);
  if (cached !== undefined) return cached;
  const row = (await db.select().from(personalTokens).where(eq(personalTokens.tokenHash, hash)).limit(1))[0];
  const value = row
    ? {
        id: row.id,
        userId: row.userId,
        scopes: scopesOf(row.scopes),
        expiresAt: row.expiresAt,
        revoked: row.revokedAt !== null,
      }
    : null;
  patCache.set(hash, value);
  return value;
}

async function loadApiKey(db: Db, hash: string): Promise<CachedApiKey | null> {
  const cached = apiKeyCache.get(hash);
  if (cached !== undefined) return cached;
  const row = (await db.select().from(apiKeys).where(eq(apiKeys.tokenHash, hash)).limit(1))[0];
  const value = row
    ? {
        id: row.id,
        orgId: row.orgId,
        scopes: scopesOf(row.scopes),
        createdBy: row.createdBy,
        boundToCreator: row.boundToCreator && row.createdBy !== null,
        expiresAt: row.expiresAt,
        revoked: row.revokedAt !== null,
      }
    : null;
  apiKeyCache.set(hash, value);
  return value;
}

async function loadSession(db: Db, sessionId: string) {
  const cached = sessionCache.get(sessionId);
  if (cached !== undefined) return cached;
  const row = (
    await db
      .select({
        userId: sessions.userId,
        expiresAt: sessions.expiresAt,
        revokedAt: sessions.revokedAt,
        email: users.email,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sessionId))
      .limit(1)
  )[0];
  const value = row
    ? { userId: row.userId, email: row.email, expiresAt: row.expiresAt, revoked: row.revokedAt !== null }
    : null;
  sessionCache.set(sessionId, value);
  return value;
}

async function loadOidcUser(db: Db, email: string): Promise<{ id: string; email: string } | null> {
  const cached = oidcUserCache.get(email);
  if (cached !== undefined) return cached;
  const row = (
    await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, email)).limit(1)
  )[0];
  // Only a known user is cached: an unknown one may be onboarded a moment later.
  if (row) oidcUserCache.set(email, row);
  return row ?? null;
}

/** Turns the raw bearer value into a principal, or throws a 401 problem. */
export async function authenticateToken(env: Env, db: Db, raw: string, ctx: WaitUntil): Promise<Principal> {
  const parsed = parseToken(raw);
  switch (parsed.kind) {
    case "malformed":
      throw new AppError("invalid_credential", parsed.reason);
    case "pat": {
      const pat = await loadPat(db, await sha256Hex(raw));
      if (!pat) throw new AppError("invalid_credential", "Unknown personal access token.");
      checkLifecycle(pat, "Personal access token");
      touch(db, ctx, "pat", pat.id);
      return { kind: "pat", userId: pat.userId, tokenId: pat.id, scopes: pat.scopes, expiresAt: pat.expiresAt };
    }
    case "api_key": {
      const key = await loadApiKey(db, await sha256Hex(raw));
      if (!key || key.id !== parsed.keyId) throw new AppError("invalid_credential", "Unknown API key.");
      checkLifecycle(key, "API key");
      touch(db, ctx, "api_key", key.id);
      return {
        kind: "api_key",
        keyId: key.id,
        orgId: key.orgId,
        scopes: key.scopes,
        createdBy: key.createdBy,
        boundToCreator: key.boundToCreator,
        expiresAt: key.expiresAt,
      };
    }
    case "jwt": {
      const verified = await verifySessionToken(env, raw);
      if (verified.source === "oidc") {
        // Authenticating never writes: an external user is onboarded once, explicitly
        // (POST /auth/oidc/onboard), and only then do their tokens name a user.
        const user = await loadOidcUser(db, verified.email);
        if (!user) {
          throw new AppError(
            "onboarding_required",
            "This identity has no account yet: call POST /auth/oidc/onboard with the same token first.",
          );
        }
        return { kind: "session", userId: user.id, sessionId: null, email: user.email };
      }
      const session = await loadSession(db, verified.sessionId);
      if (!session || session.userId !== verified.userId) throw new AppError("invalid_credential", "Unknown session.");
      checkLifecycle(session, "Session");
      return { kind: "session", userId: session.userId, sessionId: verified.sessionId, email: session.email };
    }
  }
}
