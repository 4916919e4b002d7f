import { createRoute } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { actorOf, requireScope } from "../auth/guards";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { BrandingBody, BrandingSchema } from "./schemas";
import { brandingOf, clearBranding, setBranding } from "./service";

const get = createRoute({
  method: "get",
  path: "/admin/organization/branding",
  ...orgScoped,
  tags: ["branding"],
  summary: "The organization's own branding and the effective one (inherited down the tree)",
  description:
    "`effective` takes each field the organization does not set from its nearest ancestor that sets it, and names " +
    "that org per field (`org_id`). `display_name` falls back to the organization's name.",
  security: authed,
  responses: { 200: json(BrandingSchema), ...errorResponses },
});

const put = createRoute({
  method: "put",
  path: "/admin/organization/branding",
  ...orgScoped,
  tags: ["branding"],
  summary: "Replace the organization's own branding (a field left out or null is inherited)",
  description:
    "https URLs only, colours as #rrggbb. `hide_product_name` needs the agency or enterprise plan (403 plan_required). " +
    "Custom hosts in this isolate show the change at once, elsewhere within DOMAIN_CACHE_TTL_SECONDS.",
  security: authed,
  request: { body: jsonBody(BrandingBody) },
  responses: { 200: json(BrandingSchema), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/admin/organization/branding",
  ...orgScoped,
  tags: ["branding"],
  summary: "Clear the organization's own branding: every field is inherited again",
  security: authed,
  responses: { 204: { description: "Cleared" }, ...errorResponses },
});

export const brandingRoutes = newRouter()
  .openapi(get, async (c) => {
    requireScope(c, "organizations:read");
    return c.json(await brandingOf(c.var.db, c.var.org.org.id), 200);
  })
  .openapi(put, async (c) => {
    requireScope(c, "organizations:manage");
    const body = c.req.valid("json");
    return c.json(await setBranding(c.var.db, c.var.org.org, body, actorOf(c)), 200);
  })
  .openapi(remove, async (c) => {
    requireScope(c, "organizations:manage");
    await clearBranding(c.var.db, c.var.org.org.id, actorOf(c));
    return c.body(null, 204);
  });
