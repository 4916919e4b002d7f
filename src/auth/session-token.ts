import {
  SignJWT,
  jwtVerify,
  decodeJwt,
  createLocalJWKSet,
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import type { Env } from "../env";
import { AppError } from "../lib/errors";

export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
const ALGORITHMS = ["HS256"];
/** How far a token's clock (`iat`, `nbf`, `exp`) may be ahead of ours. */
export const CLOCK_SKEW_SECONDS = 60;
const OIDC_ALGORITHMS = ["RS256", "ES256", "PS256", "EdDSA"];

const encoder = new TextEncoder();

function secretKey(env: Env): Uint8Array {
  if (!env.JWT_SECRET || env.JWT_SECRET.length < 32) {
    // A deployment without a secret must fail closed, never sign with a default.
    throw new Error("JWT_SECRET is missing or shorter than 32 characters");
  }
  return encoder.encode(env.JWT_SECRET);
}

export async function signSession(env: Env, claims: { userId: string; sessionId: string; email: string }) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: claims.sessionId, email: claims.email })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + SESSION_TTL_SECONDS)
    .sign(secretKey(env));
}

export type VerifiedSession =
  | { source: "local"; userId: string; sessionId: string; email: string }
  | { source: "oidc"; email: string };

let jwks: { key: string; get: JWTVerifyGetKey } | undefined;

function oidcKeys(env: Env): JWTVerifyGetKey {
  const key = env.OIDC_JWKS ?? env.OIDC_JWKS_URL ?? "";
  if (jwks?.key !== key) {
    const get = env.OIDC_JWKS
      ? createLocalJWKSet(JSON.parse(env.OIDC_JWKS))
      : createRemoteJWKSet(new URL(env.OIDC_JWKS_URL ?? ""));
    jwks = { key, get };
  }
  return jwks.get;
}

/**
 * What jose leaves open: a token issued in the future (beyond the skew) is refused, and the
 * audience must be exactly ours — an array naming us among others is a token meant for
 * several services, which a leak at any of them could replay here.
 */
function requireStrictClaims(payload: JWTPayload, audience: string | undefined): void {
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat === "number" && payload.iat > now + CLOCK_SKEW_SECONDS) {
    throw new AppError("invalid_credential", "Session token is issued in the future.");
  }
  const aud = Array.isArray(payload.aud) && payload.aud.length === 1 ? payload.aud[0] : payload.aud;
  if (audience !== undefined && aud !== audience) {
    throw new AppError("invalid_credential", "Session token is meant for another audience.");
  }
}

/** Verifies a session JWT: ours (HS256) or, when configured, an external OIDC issuer's. */
export async function verifySessionToken(env: Env, token: string): Promise<VerifiedSession> {
  let iss: string | undefined;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw new AppError("invalid_credential", "Malformed session token.");
  }
  try {
    if (env.OIDC_ISSUER && iss === env.OIDC_ISSUER && (env.OIDC_JWKS || env.OIDC_JWKS_URL)) {
      const { payload } = await jwtVerify(token, oidcKeys(env), {
        issuer: env.OIDC_ISSUER,
        audience: env.OIDC_AUDIENCE,
        algorithms: OIDC_ALGORITHMS,
        requiredClaims: ["exp"],
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      requireStrictClaims(payload, env.OIDC_AUDIENCE);
      if (typeof payload.email !== "string" || payload.email_verified === false) {
        throw new AppError("invalid_credential", "The identity token carries no verified e-mail.");
      }
      return { source: "oidc", email: payload.email.toLowerCase() };
    }
    const { payload } = await jwtVerify(token, secretKey(env), {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      algorithms: ALGORITHMS,
      requiredClaims: ["exp"],
      clockTolerance: CLOCK_SKEW_SECONDS,
    });
    requireStrictClaims(payload, env.JWT_AUDIENCE);
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string" || typeof payload.email !== "string") {
      throw new AppError("invalid_credential", "Session token is missing claims.");
    }
    return { source: "local", userId: payload.sub, sessionId: payload.sid, email: payload.email };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED") throw new AppError("credential_expired", "Session expired.");
    throw new AppError("invalid_credential", "Invalid session token.");
  }
}
