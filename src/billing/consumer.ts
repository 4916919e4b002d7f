import { makeDb } from "../db/client";
import type { Env } from "../env";
import { billingFor } from "../adapters/billing";
import type { BillingMessage } from "./messages";
import { syncOrg } from "./sync";

/**
 * The `billing` queue. Both messages are idempotent (a sync pushes absolute values; a cancel
 * skips subscriptions already canceled and carries a Stripe idempotency key), so a
 * redelivery is harmless; a failure is retried, then lands in billing-dlq.
 */
export async function consumeBilling(batch: MessageBatch<BillingMessage>, env: Env): Promise<void> {
  const db = makeDb(env.DB);
  for (const msg of batch.messages) {
    try {
      const body = msg.body;
      if (body.type === "sync") await syncOrg(env, db, body.orgId);
      else if (body.type === "cancel_subscription")
        await billingFor(env, db).cancelSubscriptionsOf(body.orgId, `org:${body.orgId}:deleted:cancel`);
      msg.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", queue: "billing", org_id: msg.body.orgId, message: String(err) }));
      msg.retry();
    }
  }
}

export async function consumeBillingDeadLetters(batch: MessageBatch<BillingMessage>): Promise<void> {
  for (const msg of batch.messages) {
    console.error(
      JSON.stringify({ level: "error", queue: "billing-dlq", org_id: msg.body.orgId, type: msg.body.type }),
    );
    msg.ack();
  }
}
