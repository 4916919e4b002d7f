import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { NOT_FOUND_PAGE, SIGN_IN_PAGE_HEADERS, signInPage } from "../branding/pages";
import { hostOf, isProductHost } from "./hostnames";
import { siteOf } from "./service";

/** The pages a custom host serves itself; everything else (the API) works on every host. */
const SITE_PATHS = new Set(["/", "/branding.json"]);

/**
 * Host routing, before authentication: a `Host` (port ignored, any case) that is an active
 * custom domain sets `c.var.hostOrgId` (an org-scoped route without X-Anyreach-Org then acts on
 * that org) and serves `GET /` (the branded sign-in page) and `GET /branding.json`. Any other
 * non-product host gets a plain 404 page there, naming nothing. Product hosts skip all this.
 */
export function customHosts(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const host = hostOf(c.req.header("host"));
    if (!host || isProductHost(c.env, host)) return next();
    const site = await siteOf(c.env, c.var.db, host);
    if (site) c.set("hostOrgId", site.orgId);
    const page = (c.req.method === "GET" || c.req.method === "HEAD") && SITE_PATHS.has(c.req.path);
    if (!page) return next();
    if (!site) return c.html(NOT_FOUND_PAGE, 404, { "cache-control": "no-store" });
    if (c.req.path === "/branding.json") return c.json(site.branding, 200, { "cache-control": "no-store" });
    return c.html(signInPage(site.branding), 200, SIGN_IN_PAGE_HEADERS);
  };
}
