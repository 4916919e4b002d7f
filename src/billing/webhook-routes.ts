import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, newRouter } from "../http/openapi";
import { receiveStripeWebhook } from "./webhook";

const stripeWebhook = createRoute({
  method: "post",
  path: "/webhooks/stripe",
  tags: ["billing"],
  summary: "Stripe events (signed with the Stripe-Signature header; each event id is applied once)",
  description:
    "The raw JSON body is verified against STRIPE_WEBHOOK_SECRET. Handles checkout.session.completed, " +
    "customer.subscription.created|updated|deleted, invoice.paid and invoice.payment_failed; any other " +
    "type, and an event already applied, is acknowledged with 200.",
  responses: {
    200: json(z.object({ received: z.literal(true) })),
    400: { ...errorResponses[400], description: "Missing or invalid signature (invalid_signature)" },
  },
});

/** The provider calls in here: no credential, the signature is the authentication. */
export const webhookRoutes = newRouter().openapi(stripeWebhook, async (c) => {
  const raw = await c.req.text();
  await receiveStripeWebhook(c.env, c.var.db, raw, c.req.header("stripe-signature"));
  return c.json({ received: true as const }, 200);
});
