import { createRoute } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { actorOf, requireScope } from "../auth/guards";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { setPayment } from "../billing/payer";
import { ChildBillingBody, ChildBillingSchema, ChildParam } from "./schemas";
import { requireBelow } from "./subtree";

const setBilling = createRoute({
  method: "put",
  path: "/admin/partner-console/organizations/{child_id}/billing",
  ...orgScoped,
  tags: ["partner console"],
  summary: "Who pays for an org below yours (its own balance, or its parent's payer) and a cap on its concurrency",
  description:
    "Needs billing:manage and child_organizations:manage in your org; the target must be strictly below it (your " +
    "own org: 403). A child switching to `own` for the first time starts its free trial without trial credit. " +
    "concurrency_limit above the payer's plan limit: 422. The new limit shows in GET /admin/concurrency at once.",
  security: authed,
  request: { params: ChildParam, body: jsonBody(ChildBillingBody) },
  responses: { 200: json(ChildBillingSchema), 422: errorResponses[400], ...errorResponses },
});

export const partnerBillingRoutes = newRouter().openapi(setBilling, async (c) => {
  requireScope(c, "billing:manage");
  const { target } = await requireBelow(c, c.req.valid("param").child_id);
  const body = c.req.valid("json");
  const change = { billingMode: body.billing_mode, concurrencyLimit: body.concurrency_limit };
  return c.json(await setPayment(c.env, c.var.db, target, change, actorOf(c)), 200);
});
