import { createRoute } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { actorOf, requireScope } from "../auth/guards";
import { authed, errorResponses, json, jsonBody, newRouter, providerDown, rateLimited } from "../http/openapi";
import { DomainBody, DomainSchema, toDomainView } from "./schemas";
import { claimDomain, getDomain, releaseDomain, verifyDomain } from "./service";

const get = createRoute({
  method: "get",
  path: "/admin/organization/domain",
  ...orgScoped,
  tags: ["domains"],
  summary: "The organization's custom domain and its verification state (404 when none)",
  security: authed,
  responses: { 200: json(DomainSchema), ...errorResponses },
});

const put = createRoute({
  method: "put",
  path: "/admin/organization/domain",
  ...orgScoped,
  tags: ["domains"],
  summary: "Claim a custom domain (replaces the current one): create the TXT record shown, then verify",
  description:
    "One domain per organization, unique across all (409 domain_taken). A host name of at least two labels; IDN is " +
    "stored as punycode; the product's own hosts and their subdomains are refused (422). Pending domains are " +
    "re-checked by the cron with backoff (1, 2, 4 … minutes, at most hourly) and fail after " +
    "DOMAIN_VERIFY_TIMEOUT_HOURS (72 h); active ones are re-checked daily.",
  security: authed,
  request: { body: jsonBody(DomainBody) },
  responses: {
    200: json(DomainSchema),
    409: errorResponses[400],
    422: errorResponses[400],
    429: rateLimited,
    503: providerDown,
    ...errorResponses,
  },
});

const verify = createRoute({
  method: "post",
  path: "/admin/organization/domain/verify",
  ...orgScoped,
  tags: ["domains"],
  summary: "Check the domain now: pending → active, or failed with a reason",
  description: "Claims and checks together: at most DOMAIN_CHECKS_PER_HOUR (30) per organization an hour (429).",
  security: authed,
  responses: { 200: json(DomainSchema), 429: rateLimited, ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/admin/organization/domain",
  ...orgScoped,
  tags: ["domains"],
  summary: "Release the custom domain at once (the host stops resolving to the organization)",
  security: authed,
  responses: { 204: { description: "Released" }, ...errorResponses },
});

export const domainRoutes = newRouter()
  .openapi(get, async (c) => {
    requireScope(c, "organizations:read");
    return c.json(toDomainView(await getDomain(c.env, c.var.db, c.var.org.org.id)), 200);
  })
  .openapi(put, async (c) => {
    requireScope(c, "organizations:manage");
    const { domain } = c.req.valid("json");
    return c.json(toDomainView(await claimDomain(c.env, c.var.db, c.var.org.org, domain, actorOf(c))), 200);
  })
  .openapi(verify, async (c) => {
    requireScope(c, "organizations:manage");
    return c.json(toDomainView(await verifyDomain(c.env, c.var.db, c.var.org.org.id)), 200);
  })
  .openapi(remove, async (c) => {
    requireScope(c, "organizations:manage");
    await releaseDomain(c.env, c.var.db, c.var.org.org.id, actorOf(c));
    return c.body(null, 204);
  });
