const MAX_DELAY_SECONDS = 300;

/**
 * Exponential backoff for queue retries: `base * 2^(attempts-1)` seconds, capped at five
 * minutes. `attempts` is the delivery count of the message (1 on first delivery).
 */
export function backoffSeconds(attempts: number, base: number): number {
  if (!(base > 0)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.round(base * 2 ** Math.max(0, attempts - 1)));
}
