const MAX_DELAY_SECONDS = 300;

/** The base of every queue's retry backoff: 2 s, 4 s, 8 s … */
export const BACKOFF_BASE_SECONDS = 2;

/**
 * Exponential backoff for queue retries: `base * 2^(attempts-1)` seconds, capped at five
 * minutes. `attempts` is the delivery count of the message (1 on first delivery).
 */
export function backoffSeconds(attempts: number, base = BACKOFF_BASE_SECONDS): number {
  if (!(base > 0)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.round(base * 2 ** Math.max(0, attempts - 1)));
}

/**
 * A base configured in seconds (wrangler.toml `PROVISIONING_BACKOFF_BASE_SECONDS`; "0" in
 * tests retries at once), or the default when unset or not a number.
 */
export function backoffBase(configured: string | undefined): number {
  const base = Number(configured ?? BACKOFF_BASE_SECONDS);
  return Number.isFinite(base) ? base : BACKOFF_BASE_SECONDS;
}
