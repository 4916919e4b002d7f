import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { limiterOf } from "../lib/rate-limiter";
import { limitsOf } from "../quotas/limits";

const DAY_SECONDS = 86_400;

/**
 * The per-recipient cap on mail nobody asked for (invitations and their resends): one
 * address receives at most EMAILS_PER_RECIPIENT_PER_DAY (default 10) in 24 hours, from all
 * organizations together, counted exactly by the recipient's `RateLimiter`. Beyond it the
 * request is refused with 429 `rate_limited` + Retry-After before anything is written.
 * Sign-in codes are not counted here: the recipient asks for them, and they have their own
 * limits (sign-in/service.ts), so invitations cannot lock anyone out of signing in.
 *
 * Returns `giveBack`, for a caller whose write then fails and sends nothing.
 */
export async function reserveRecipientMail(env: Env, to: string): Promise<() => Promise<void>> {
  const limiter = limiterOf(env.RATE_LIMITER, `mail-recipient:${to.toLowerCase()}`);
  const limit = limitsOf(env).emailsPerRecipientPerDay;
  const taken = await limiter.take({ limit, windowSeconds: DAY_SECONDS });
  if (!taken.allowed) {
    throw new AppError(
      "rate_limited",
      `This address has been sent ${limit} invitation e-mails in the last 24 hours; try again later.`,
      { retryAfterSeconds: taken.retryAfterSeconds },
    );
  }
  return async () => {
    await limiter.giveBack();
  };
}
