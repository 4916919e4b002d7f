/**
 * Bodies of messages on the `billing` queue (at-least-once; each is idempotent by itself):
 * - `sync`: push the plan and balance of whoever pays for the org to the Durable Objects
 *   of every org it pays for (absolute values: repeating it is harmless);
 * - `cancel_subscription`: the org was deleted; cancel at the provider every subscription
 *   made for it (a canceled one is skipped).
 */
export type BillingMessage = { type: "sync"; orgId: string } | { type: "cancel_subscription"; orgId: string };
