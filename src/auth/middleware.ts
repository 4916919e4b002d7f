import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv, Env, Variables } from "../env";
import { AppError } from "../lib/errors";
import { configureCacheTtl } from "./cache";
import { authenticateToken } from "./credentials";
import { missingOrganization, ORG_HEADER, type OrgContext, resolveOrgContext } from "./org-context";

export const SESSION_COOKIE = "anyreach_session";

/** The context of a route that acts on one organization: `c.var.org` is always there. */
export type OrgScopedEnv = { Bindings: Env; Variables: Variables & { org: OrgContext } };
/** The context of a route where naming an organization is optional (org creation). */
export type OrgOptionalEnv = { Bindings: Env; Variables: Variables & { org?: OrgContext } };

function bearer(c: Context<AppEnv>): { raw: string | undefined; fromCookie: boolean } {
  const h = c.req.header("authorization");
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m) throw new AppError("invalid_credential", "Authorization header must be `Bearer <token>`.");
    return { raw: m[1], fromCookie: false };
  }
  return { raw: getCookie(c, SESSION_COOKIE), fromCookie: true };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A browser attaches the session cookie to cross-site requests too, so a change made with
 * the cookie alone must come from a page of this very origin (CSRF): the Origin header — or,
 * without one, Sec-Fetch-Site — must say so. Bearer credentials are never sent ambiently.
 */
export function requireSameOrigin(c: Context<AppEnv>): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header("origin");
  const sameOrigin = origin ? origin === new URL(c.req.url).origin : c.req.header("sec-fetch-site") === "same-origin";
  if (!sameOrigin) {
    throw new AppError("cross_site_request", "A change made with the session cookie must come from this site.");
  }
}

/** Authenticates every /admin request: credential → `c.var.principal`. Nothing else. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    configureCacheTtl(c.env.CREDENTIAL_CACHE_TTL_SECONDS);
    const { raw, fromCookie } = bearer(c);
    if (!raw) throw new AppError("unauthenticated", "Send a credential: Authorization: Bearer <token>.");
    if (fromCookie) requireSameOrigin(c);
    c.set("principal", await authenticateToken(c.env, c.var.db, raw, c.executionCtx));
    return next();
  };
}

const orgRef = (c: Context) => c.req.header(ORG_HEADER)?.trim() || undefined;

/**
 * On an active custom domain (`c.var.hostOrgId`, set by the host middleware) a session or PAT
 * that names no org acts on that host's org; membership is checked as for the header. An org
 * API key always acts on its own org.
 */
const orgRefOrHost = (c: Context<OrgScopedEnv>) =>
  orgRef(c) ?? (c.var.principal.kind === "api_key" ? undefined : c.var.hostOrgId);

/** Resolves the request's organization (credential + `X-Anyreach-Org`) or refuses the request. */
const requireOrgContext: MiddlewareHandler<OrgScopedEnv> = async (c, next) => {
  const ctx = await resolveOrgContext(c.var.db, c.var.principal, orgRefOrHost(c));
  if (!ctx) throw missingOrganization(c.var.principal);
  c.set("org", ctx);
  return next();
};

/** Resolves the organization when the request names one (or the credential carries one). */
const optionalOrgContext: MiddlewareHandler<OrgOptionalEnv> = async (c, next) => {
  const ctx = await resolveOrgContext(c.var.db, c.var.principal, orgRef(c));
  if (ctx) c.set("org", ctx);
  return next();
};

/**
 * How a route declares the organization it acts on: spread one of these into its
 * `createRoute({...})`. The middleware types `c.var.org` for the handler, and the
 * `x-org-context` mark in /openapi.json is what the tenant-isolation suite enumerates.
 * Routes that declare neither act on the caller's own account and never see an org.
 */
export const orgScoped = { middleware: requireOrgContext, "x-org-context": "required" } as const;
export const orgOptional = { middleware: optionalOrgContext, "x-org-context": "optional" } as const;
