import type { Env } from "../env";
import { takeOrRefuse } from "../lib/rate-limiter";
import { limitsOf } from "../quotas/limits";

const DAY_SECONDS = 86_400;
/** Objects the recipient counters are spread over (src/lib/rate-limiter.ts, `limiterOf`). */
const RECIPIENT_SHARDS = 64;

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
  const limit = limitsOf(env).emailsPerRecipientPerDay;
  const limiter = await takeOrRefuse(
    env.RATE_LIMITER,
    `mail-recipient:${to.toLowerCase()}`,
    { limit, windowSeconds: DAY_SECONDS },
    {
      code: "rate_limited",
      detail: `This address has been sent ${limit} invitation e-mails in the last 24 hours; try again later.`,
    },
    // Nearly every invitation goes to an address never counted before: shared warm objects.
    { shards: RECIPIENT_SHARDS },
  );
  return async () => {
    await limiter.giveBack();
  };
}
