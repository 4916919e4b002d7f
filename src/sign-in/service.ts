import type { Db } from "../db/client";
import { sessions, type OrganizationRow, type UserRow } from "../db/schema";
import { type Env, positiveVar } from "../env";
import { takeOrRefuse } from "../lib/rate-limiter";
import { AppError } from "../lib/errors";
import { newId } from "../lib/crypto";
import { checkEmailCode, issueEmailCode } from "../auth/email-code";
import { enqueueEmail } from "../email/messages";
import { SESSION_TTL_SECONDS, signSession, verifySessionToken } from "../auth/session-token";
import type { OrgLifecycle } from "../orgs/lifecycle";
import { findOrOnboardUser } from "../onboarding/service";
import { securityLogStatement, type ClientInfo } from "../account/security-log";

export type SignedIn = { token: string; user: UserRow; firstOrg: OrganizationRow | null };

const HOUR_SECONDS = 3600;

/**
 * Starting a sign-in sends an e-mail, so it is limited per e-mail (mail bombing, code
 * cycling) and per client address (enumeration from one machine). Local development relaxes
 * only the per-address limit (.dev.vars), so scripts can sign in hundreds of users.
 */
export function startRules(env: Env) {
  return {
    perEmail: { limit: positiveVar(env.SIGN_IN_STARTS_PER_EMAIL, 5), windowSeconds: HOUR_SECONDS },
    perAddress: { limit: positiveVar(env.SIGN_IN_STARTS_PER_ADDRESS, 30), windowSeconds: HOUR_SECONDS },
  };
}

async function throttleStart(env: Env, email: string, address: string): Promise<void> {
  const rules = startRules(env);
  for (const [key, rule] of [
    [`sign-in-start:address:${address}`, rules.perAddress],
    [`sign-in-start:email:${email}`, rules.perEmail],
  ] as const) {
    await takeOrRefuse(env.RATE_LIMITER, key, rule, {
      code: "rate_limited",
      detail: "Too many sign-in requests. Try again later.",
    });
  }
}

/** Issues a fresh one-time code (replacing any earlier one) and queues the e-mail. */
export async function startEmailSignIn(env: Env, db: Db, input: { email: string; address: string }): Promise<void> {
  const { email } = input;
  await throttleStart(env, email, input.address);
  const { code, key } = await issueEmailCode(env, db, email);
  await enqueueEmail(env, { key, to: email, template: "sign_in_code", data: { code } });
}

/**
 * A right code signs the user in: in one batch the code is spent, the session row and its
 * security-log entry are written and, on a first sign-in, the user and their first
 * organization are onboarded.
 */
export async function signInWithEmailCode(
  env: Env,
  db: Db,
  lifecycle: OrgLifecycle,
  input: { email: string; code: string; requestId: string | null; client: ClientInfo },
): Promise<SignedIn> {
  const { consume: consumeCode } = await checkEmailCode(env, db, input.email, input.code);
  const sessionId = newId("ses");
  const now = Date.now();
  const { user, firstOrg } = await findOrOnboardUser(db, lifecycle, input.email, (u) => [
    consumeCode,
    db.insert(sessions).values({
      id: sessionId,
      userId: u.id,
      createdAt: now,
      expiresAt: now + SESSION_TTL_SECONDS * 1000,
      userAgent: input.client.userAgent,
    }),
    securityLogStatement(db, {
      userId: u.id,
      action: "session.created",
      targetId: sessionId,
      actor: { kind: "sign_in", requestId: input.requestId },
      client: input.client,
      details: { method: "email_code" },
    }),
  ]);
  const token = await signSession(env, { userId: user.id, sessionId, email: user.email });
  return { token, user, firstOrg };
}

/**
 * The explicit first step of a user of a trusted external OIDC issuer: their verified token
 * onboards them (user + first organization). Afterwards the same tokens authenticate them.
 */
export async function onboardOidcUser(
  env: Env,
  db: Db,
  lifecycle: OrgLifecycle,
  idToken: string,
): Promise<{ user: UserRow; firstOrg: OrganizationRow | null }> {
  const verified = await verifySessionToken(env, idToken);
  if (verified.source !== "oidc") {
    throw new AppError("invalid_credential", "Send an ID token of the trusted external issuer.");
  }
  const { user, firstOrg } = await findOrOnboardUser(db, lifecycle, verified.email);
  return { user, firstOrg };
}
