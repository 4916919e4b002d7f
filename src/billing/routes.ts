import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { requireScope } from "../auth/guards";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { planOf } from "./plans";
import { billingStateOf, ledgerPage } from "./queries";
import { BillingSchema, LedgerEntrySchema, PlanSchema, billingView, ledgerEntryView, plansView } from "./views";

const billing = createRoute({
  method: "get",
  path: "/admin/billing",
  ...orgScoped,
  tags: ["billing"],
  summary: "The organization's plan, subscription, balance, limit and who pays (organizations:read)",
  security: authed,
  responses: { 200: json(BillingSchema), ...errorResponses },
});

const plans = createRoute({
  method: "get",
  path: "/admin/billing/plans",
  ...orgScoped,
  tags: ["billing"],
  summary: "The plans: limits, per-minute rates, features; `current` marks the one in force (any member)",
  security: authed,
  responses: { 200: json(z.object({ data: z.array(PlanSchema) })), ...errorResponses },
});

const ledger = createRoute({
  method: "get",
  path: "/admin/billing/ledger",
  ...orgScoped,
  tags: ["billing"],
  summary: "Every entry of the organization's balance, newest first, with the running balance (billing:manage)",
  description:
    "Top-ups, usage charges (naming the call or usage record and, for a client billed to this org, the client), " +
    "adjustments and refunds. A child billed to its parent has no charges of its own: they are in the payer's ledger.",
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(LedgerEntrySchema)), ...errorResponses },
});

export const billingRoutes = newRouter()
  .openapi(billing, async (c) => {
    requireScope(c, "organizations:read");
    const { org } = c.var.org;
    return c.json(billingView(c.env, org, await billingStateOf(c.var.db, org)), 200);
  })
  .openapi(plans, async (c) => {
    // Membership (the resolved org context) is all it takes: the catalogue is public knowledge.
    return c.json({ data: plansView(planOf(c.var.org.org.plan).id) }, 200);
  })
  .openapi(ledger, async (c) => {
    requireScope(c, "billing:manage");
    const { org } = c.var.org;
    const page = await ledgerPage(c.var.db, org.id, c.req.valid("query"));
    return c.json({ data: page.data.map((e) => ledgerEntryView(e, e.currency)), next_cursor: page.next_cursor }, 200);
  });
