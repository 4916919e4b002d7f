import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { configureCacheTtl } from "./cache";
import { authenticateToken } from "./credentials";
import { missingOrganization, ORG_HEADER, resolveOrgContext } from "./org-context";
import type { Principal } from "./principal";
import type { Scope } from "./scopes";

export const SESSION_COOKIE = "anyreach_session";

/** Routes under /admin that act on no organization (the caller's own account). */
const ACCOUNT_PATHS = [/^\/admin\/me$/, /^\/admin\/account(\/|$)/];
/** Routes where an organization is optional (org creation: a parent_id needs the caller's org). */
const OPTIONAL_ORG_PATHS = [/^\/admin\/organizations(\/|$)/];

function bearer(c: Context<AppEnv>): string | undefined {
  const h = c.req.header("authorization");
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m) throw new AppError("invalid_credential", "Authorization header must be `Bearer <token>`.");
    return m[1];
  }
  return getCookie(c, SESSION_COOKIE);
}

/**
 * Authenticates every /admin request (credential → principal) and resolves its org
 * context. One straight line: no handler reaches back into credentials.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    configureCacheTtl(c.env.CREDENTIAL_CACHE_TTL_SECONDS);
    const raw = bearer(c);
    if (!raw) throw new AppError("unauthenticated", "Send a credential: Authorization: Bearer <token>.");
    const principal = await authenticateToken(c.env, c.var.db, c.executionCtx, raw);
    c.set("principal", principal);

    const path = c.req.path;
    if (ACCOUNT_PATHS.some((re) => re.test(path))) return next();
    const orgRef = c.req.header(ORG_HEADER)?.trim() || undefined;
    const ctx = await resolveOrgContext(c.var.db, principal, orgRef);
    if (ctx) c.set("org", ctx);
    else if (!OPTIONAL_ORG_PATHS.some((re) => re.test(path))) throw missingOrganization(principal);
    return next();
  };
}

/** Throws 403 unless the request's effective scopes include `scope`. */
export function requireScope(c: Context<AppEnv>, scope: Scope): void {
  const ctx = c.var.org;
  if (!ctx) throw missingOrganization(c.var.principal);
  if (!ctx.scopes.has(scope)) throw new AppError("insufficient_scope", `This action requires the "${scope}" scope.`);
}

/** The signed-in user behind the request; org API keys are refused (403). */
export function requireUser(c: Context<AppEnv>): Extract<Principal, { userId: string }> {
  const p = c.var.principal;
  if (p.kind === "api_key")
    throw new AppError("forbidden", "This route needs a user credential (session or PAT), not an org API key.");
  return p;
}

/** Throws unless the caller holds the owner role natively (not via a token that lacks it). */
export function requireOwner(c: Context<AppEnv>): void {
  const ctx = c.var.org;
  if (!ctx || !ctx.roles.includes("owner"))
    throw new AppError("owner_required", "Only the organization owner can do this.");
}
