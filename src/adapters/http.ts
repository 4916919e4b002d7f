import type { Env } from "../env";
import { AppError } from "../lib/errors";

/**
 * How long one call to a third-party service may take (PROVIDER_TIMEOUT_MS, default 8 s).
 * Without a deadline a provider that accepts the connection and never answers would hold a
 * queue consumer (or a request) until the runtime kills it, and every retry would hang too.
 */
export function providerTimeoutMs(env: Pick<Env, "PROVIDER_TIMEOUT_MS">): number {
  const ms = Number(env.PROVIDER_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 8_000;
}

/** Seconds a client is told to wait after a provider failed: long enough for a blip to pass. */
const RETRY_AFTER_SECONDS = 30;

/** The provider is down or slow: the caller may retry (queue consumers do, with backoff). */
export const providerUnavailable = (provider: string, what: string) =>
  new AppError("provider_unavailable", `${provider} ${what}; try again later.`, {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });

/**
 * fetch() to a third-party service, with a deadline. A timeout, a refused connection or a 5xx
 * answer becomes `provider_unavailable` (503 on a request path, a retry in a consumer); any
 * other answer is the caller's to read.
 */
export async function providerFetch(
  provider: string,
  timeoutMs: number,
  url: string | URL,
  init: RequestInit = {},
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw providerUnavailable(provider, timedOut ? `did not answer within ${timeoutMs} ms` : "could not be reached");
  }
  if (res.status >= 500) {
    // Read (and so release) the body: an unread one keeps the connection busy.
    await res.body?.cancel();
    throw providerUnavailable(provider, `answered ${res.status}`);
  }
  return res;
}
