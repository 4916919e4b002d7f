import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { requireScope } from "../auth/guards";
import { authed, errorResponses, json, jsonBody, newRouter, providerDown } from "../http/openapi";
import { iso } from "../lib/dates";
import { PLAN_IDS, SUBSCRIPTION_STATUSES } from "../db/schema";
import { changeSubscription, openPortal, startCheckout, startTopUp } from "./checkout";
import { TOP_UP_CENTS } from "./plans";

const problem = (description: string) => ({ ...errorResponses[400], description });
const UrlSchema = z.object({ url: z.string().openapi({ description: "Where to send the user's browser" }) });

const BillingStateSchema = z
  .object({
    plan: z.enum(PLAN_IDS),
    status: z.enum(SUBSCRIPTION_STATUSES),
    cancel_at_period_end: z.boolean(),
    current_period_end: z.string().nullable(),
  })
  .openapi("SubscriptionState");

const common = { ...orgScoped, tags: ["billing"], security: authed };

const checkout = createRoute({
  ...common,
  method: "post",
  path: "/admin/billing/checkout",
  summary: "Start a Checkout session for a paid plan (the plan applies when the payment completes)",
  request: { body: jsonBody(z.object({ plan: z.enum(PLAN_IDS) })) },
  responses: {
    200: json(UrlSchema),
    409: problem("Free, the plan in force, an existing subscription, or billed to the parent"),
    422: problem("enterprise: contact sales"),
    503: providerDown,
    ...errorResponses,
  },
});

const topUp = createRoute({
  ...common,
  method: "post",
  path: "/admin/billing/top-ups",
  summary: "Start a Checkout payment that tops up the balance (it rises when the payment completes)",
  request: {
    body: jsonBody(z.object({ amount_cents: z.number().int().min(TOP_UP_CENTS.min).max(TOP_UP_CENTS.max) })),
  },
  responses: { 200: json(UrlSchema), 409: problem("Billed to the parent"), 503: providerDown, ...errorResponses },
});

const portal = createRoute({
  ...common,
  method: "post",
  path: "/admin/billing/portal",
  summary: "Open the billing provider's customer portal (payment methods, invoices)",
  responses: { 200: json(UrlSchema), 409: problem("Billed to the parent"), 503: providerDown, ...errorResponses },
});

const subscription = createRoute({
  ...common,
  method: "post",
  path: "/admin/billing/subscription",
  summary: "Upgrade, downgrade, cancel (at the period's end), renew or revive the subscription",
  request: {
    body: jsonBody(
      z.object({
        action: z.enum(["upgrade", "downgrade", "cancel", "renew", "revive"]),
        plan: z.enum(PLAN_IDS).optional().openapi({ description: "Required for upgrade and downgrade" }),
      }),
    ),
  },
  responses: {
    200: json(BillingStateSchema),
    409: problem("The action does not apply to the subscription as it is"),
    422: problem("enterprise: contact sales"),
    503: providerDown,
    ...errorResponses,
  },
});

/** Money in: Checkout, top-ups, the portal and the subscription actions (billing:manage). */
export const checkoutRoutes = newRouter()
  .openapi(checkout, async (c) => {
    requireScope(c, "billing:manage");
    return c.json(await startCheckout(c.env, c.var.db, c.var.org.org, c.req.valid("json").plan), 200);
  })
  .openapi(topUp, async (c) => {
    requireScope(c, "billing:manage");
    return c.json(await startTopUp(c.env, c.var.db, c.var.org.org, c.req.valid("json").amount_cents), 200);
  })
  .openapi(portal, async (c) => {
    requireScope(c, "billing:manage");
    return c.json(await openPortal(c.env, c.var.db, c.var.org.org), 200);
  })
  .openapi(subscription, async (c) => {
    requireScope(c, "billing:manage");
    const { action, plan } = c.req.valid("json");
    const s = await changeSubscription(c.env, c.var.db, c.var.org.org, action, plan);
    return c.json(
      {
        plan: s.plan,
        status: s.status,
        cancel_at_period_end: s.cancelAtPeriodEnd,
        current_period_end: iso(s.currentPeriodEnd),
      },
      200,
    );
  });
