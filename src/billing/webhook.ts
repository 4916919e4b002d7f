import { verifiedStripeEvent } from "../adapters/billing";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { type ApplyResult, applyEvent } from "./events";

/**
 * A Stripe webhook delivery: verified, then applied once (one D1 batch and an enqueue, so
 * the reply is fast). A bad or missing signature, or no secret configured, changes nothing.
 */
export async function receiveStripeWebhook(
  env: Env,
  db: Db,
  rawBody: string,
  signature: string | undefined,
): Promise<ApplyResult> {
  const event = await verifiedStripeEvent(env, rawBody, signature);
  if (!event) throw new AppError("invalid_signature", "The Stripe-Signature header does not verify this body.");
  return applyEvent(env, db, event);
}
