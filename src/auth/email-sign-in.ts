import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { emailCodes, sessions, type OrganizationRow } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { hmacHex, newId, timingSafeEqual } from "../lib/crypto";
import { enqueueEmail } from "../email/messages";
import { signSession, SESSION_TTL_SECONDS } from "./session-token";
import { findOrCreateUser, type UserRow } from "./users";

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;

function sixDigits(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000;
  return n.toString().padStart(6, "0");
}

async function codeHash(env: Env, email: string, code: string): Promise<string> {
  // Keyed hash: a leaked table does not let anyone try the 10^6 codes offline.
  return hmacHex(env.JWT_SECRET ?? "", `${email}:${code}`);
}

/** Issues a fresh one-time code (replacing any earlier one) and queues the e-mail. */
export async function startEmailSignIn(env: Env, db: Db, email: string): Promise<void> {
  const code = sixDigits();
  const now = Date.now();
  const hash = await codeHash(env, email, code);
  await db
    .insert(emailCodes)
    .values({ email, codeHash: hash, attempts: 0, expiresAt: now + CODE_TTL_MS, createdAt: now })
    .onConflictDoUpdate({
      target: emailCodes.email,
      set: { codeHash: hash, attempts: 0, expiresAt: now + CODE_TTL_MS, createdAt: now },
    });
  await enqueueEmail(env, {
    key: `sign_in:${email}:${hash.slice(0, 16)}`,
    to: email,
    template: "sign_in_code",
    data: { code },
  });
}

/**
 * Checks a code. Each wrong guess counts; after MAX_CODE_ATTEMPTS the code is burnt.
 * On success the code is consumed and a session is created (with the user and their
 * first organization on a first sign-in).
 */
export async function verifyEmailSignIn(
  env: Env,
  db: Db,
  email: string,
  code: string,
  userAgent: string | undefined,
): Promise<{ token: string; user: UserRow; sessionId: string; firstOrg: OrganizationRow | null }> {
  // Count the attempt atomically before comparing, so parallel guesses cannot exceed the limit.
  const row = (
    await db
      .update(emailCodes)
      .set({ attempts: sql`${emailCodes.attempts} + 1` })
      .where(eq(emailCodes.email, email))
      .returning()
  )[0];
  if (!row) throw new AppError("invalid_code", "No sign-in code is pending for this e-mail. Request a new one.");
  if (row.expiresAt <= Date.now()) {
    await db.delete(emailCodes).where(eq(emailCodes.email, email));
    throw new AppError("code_expired", "The sign-in code has expired. Request a new one.");
  }
  if (row.attempts > MAX_CODE_ATTEMPTS) {
    await db.delete(emailCodes).where(eq(emailCodes.email, email));
    throw new AppError("too_many_attempts", "Too many wrong codes. Request a new one.");
  }
  if (!timingSafeEqual(row.codeHash, await codeHash(env, email, code))) {
    const left = MAX_CODE_ATTEMPTS - row.attempts;
    throw new AppError(
      "invalid_code",
      left > 0 ? `Wrong code; ${left} attempt(s) left.` : "Wrong code; request a new one.",
    );
  }
  const sessionId = newId("ses");
  const now = Date.now();
  const { user, firstOrg } = await findOrCreateUser(db, email, (u) => [
    db.delete(emailCodes).where(eq(emailCodes.email, email)),
    db.insert(sessions).values({
      id: sessionId,
      userId: u.id,
      createdAt: now,
      expiresAt: now + SESSION_TTL_SECONDS * 1000,
      userAgent: userAgent?.slice(0, 200) ?? null,
    }),
  ]);
  const token = await signSession(env, { userId: user.id, sessionId, email: user.email });
  return { token, user, sessionId, firstOrg };
}
