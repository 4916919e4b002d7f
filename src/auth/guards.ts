import { AppError } from "../lib/errors";
import type { OrgContext } from "./org-context";
import { type Actor, actorOfPrincipal, type Principal, type UserPrincipal } from "./principal";
import { accountScopesOf, type AccountScope, type Scope } from "./scopes";

/**
 * The authorisation calls a handler makes visibly, first thing: they read the principal and
 * org context the middleware set, and throw a coded error when the caller may not go on.
 * They take any context carrying those variables, so both `c` and a test double fit.
 */
type WithOrg = { var: { org: OrgContext } };
type WithPrincipal = { var: { principal: Principal; requestId?: string } };

/** Throws 403 unless the request's effective scopes include `scope`. */
export function requireScope(c: WithOrg, scope: Scope): void {
  if (!c.var.org.scopes.has(scope)) {
    throw new AppError("insufficient_scope", `This action requires the "${scope}" scope.`);
  }
}

/** The signed-in user behind the request; org API keys are refused (403). */
export function requireUser(c: WithPrincipal): UserPrincipal {
  const p = c.var.principal;
  if (p.kind === "api_key") {
    throw new AppError("forbidden", "This route needs a user credential (session or PAT), not an org API key.");
  }
  return p;
}

/**
 * For routes on the caller's own account (no org): the user behind the request, who must
 * hold `scope` there — a session always does, a PAT only when created with it (403), an org
 * API key never (403: it has no account).
 */
export function requireAccountScope(c: WithPrincipal, scope: AccountScope): UserPrincipal {
  const p = requireUser(c);
  if (!accountScopesOf(p).has(scope)) {
    throw new AppError(
      "insufficient_scope",
      `This action requires the "${scope}" scope; this token was not created with it.`,
    );
  }
  return p;
}

/** Throws unless the caller holds the owner role natively (not via a token that lacks it). */
export function requireOwner(c: WithOrg): void {
  if (!c.var.org.roles.includes("owner")) {
    throw new AppError("owner_required", "Only the organization owner can do this.");
  }
}

/** The request's caller, as the plain `Actor` services record in the audit log. */
export function actorOf(c: WithPrincipal): Actor {
  return actorOfPrincipal(c.var.principal, c.var.requestId ?? null);
}
