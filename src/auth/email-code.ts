import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { BatchItem } from "drizzle-orm/batch";
import { emailCodes } from "../db/schema";
import { type Env, positiveVar } from "../env";
import { takeOrRefuse } from "../lib/rate-limiter";
import { AppError } from "../lib/errors";
import { hmacHex, timingSafeEqual } from "../lib/crypto";

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
const HOUR_SECONDS = 3600;

/**
 * Wrong codes are counted per e-mail across codes, so asking for a new code never buys more
 * guesses: after the budget, even the right code is refused until the hour is over.
 */
export function wrongCodeRule(env: Env) {
  return { limit: positiveVar(env.SIGN_IN_WRONG_CODES_PER_EMAIL, 10), windowSeconds: HOUR_SECONDS };
}

function sixDigits(): string {
  const [n = 0] = crypto.getRandomValues(new Uint32Array(1));
  return (n % 1_000_000).toString().padStart(6, "0");
}

async function codeHash(env: Env, email: string, code: string): Promise<string> {
  // Keyed hash: a leaked table does not let anyone try the 10^6 codes offline.
  return hmacHex(env.JWT_SECRET ?? "", `${email}:${code}`);
}

/**
 * Issues a fresh one-time code, replacing any earlier one; returns it with a key unique to
 * this code (for the e-mail's idempotency) for the caller to send.
 */
export async function issueEmailCode(env: Env, db: Db, email: string): Promise<{ code: string; key: string }> {
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
  return { code, key: `sign_in:${email}:${hash.slice(0, 16)}` };
}

/**
 * Checks a code. Each wrong guess counts; after MAX_CODE_ATTEMPTS the code is burnt.
 * A right code returns the statement that consumes it, for the caller to run in the batch
 * that signs the user in (so a code is spent exactly when a session is made).
 */
export async function checkEmailCode(
  env: Env,
  db: Db,
  email: string,
  code: string,
): Promise<{ consume: BatchItem<"sqlite"> }> {
  // Every attempt is charged to the e-mail's budget before the code is compared (so parallel
  // guesses cannot overshoot it); a right code gives its charge back.
  const budget = await takeOrRefuse(env.RATE_LIMITER, `sign-in-code:${email}`, wrongCodeRule(env), {
    code: "too_many_attempts",
    detail: "Too many wrong codes for this e-mail. Try again later.",
  });
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
  await budget.giveBack();
  // Wrapped: a drizzle query is a thenable, and returning it bare would run it here.
  return { consume: db.delete(emailCodes).where(eq(emailCodes.email, email)) };
}
