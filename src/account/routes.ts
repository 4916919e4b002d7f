import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { paginate, cursorKey } from "../lib/pagination";
import { requireAccountScope, requireUser } from "../auth/guards";
import { accountOf } from "./me";
import { CreateTokenBody } from "./schemas";
import { clientOf, listSecurityLog, type Via } from "./security-log";
import { listSessions, revokeSession } from "./sessions";
import { createPersonalToken, listPersonalTokens, revokePersonalToken } from "./tokens";
import { limitsOf } from "../quotas/limits";
import {
  MembershipSchema,
  SecurityEventSchema,
  SessionSchema,
  TokenSchema,
  UserSchema,
  toMembershipView,
  toSecurityEventView,
  toSessionView,
  toTokenView,
  toUserView,
} from "./views";

const ACCOUNT_POWER =
  "A PAT acts on the account only with the account scopes it was created with (a session holds them all; " +
  "an org API key has no account). ";

const me = createRoute({
  method: "get",
  path: "/admin/me",
  tags: ["account"],
  summary: "The signed-in user and their memberships with roles",
  description: "Any user credential (session or PAT) may read who it belongs to.",
  security: authed,
  responses: { 200: json(z.object({ user: UserSchema, organizations: z.array(MembershipSchema) })), ...errorResponses },
});

const createToken = createRoute({
  method: "post",
  path: "/admin/account/tokens",
  tags: ["account"],
  summary: "Create a personal access token (pat_…); the secret is shown once",
  description:
    ACCOUNT_POWER +
    "Needs account_tokens:manage. A new token never exceeds the credential creating it: its scopes ⊆ the caller's " +
    "(a session: every scope the user holds now; a PAT: its own), its expiry ≤ the caller's (a PAT's default " +
    "expiry is its own). Omitted scopes = all the caller could grant except account_tokens:manage, " +
    "account_sessions:manage, account_invitations:manage and organizations:create, which are granted only by name. " +
    "Active tokens per user are limited (MAX_PATS_PER_USER, default 25): beyond that 403 quota_exceeded.",
  security: authed,
  request: { body: jsonBody(CreateTokenBody) },
  responses: { 201: json(TokenSchema.extend({ token: z.string() }), "Created"), ...errorResponses },
});

const listTokens = createRoute({
  method: "get",
  path: "/admin/account/tokens",
  tags: ["account"],
  summary: "List your active personal access tokens (never the secret)",
  description:
    ACCOUNT_POWER +
    "Needs account:read. A PAT sees only tokens within its own power (scopes ⊆ its scopes, expiry ≤ its " +
    "expiry) and itself.",
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(TokenSchema)), ...errorResponses },
});

const revokeToken = createRoute({
  method: "delete",
  path: "/admin/account/tokens/{id}",
  tags: ["account"],
  summary: "Revoke a personal access token",
  description:
    ACCOUNT_POWER +
    "Needs account_tokens:manage, except for a PAT revoking itself. A PAT revokes only tokens within its own " +
    "power; any other is a 404.",
  security: authed,
  request: { params: z.object({ id: z.string() }) },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

const listSessionsRoute = createRoute({
  method: "get",
  path: "/admin/account/sessions",
  tags: ["account"],
  summary: "List your active sign-in sessions, newest first",
  description: `${ACCOUNT_POWER}Needs account:read.`,
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(SessionSchema)), ...errorResponses },
});

const revokeSessionRoute = createRoute({
  method: "delete",
  path: "/admin/account/sessions/{id}",
  tags: ["account"],
  summary: "Revoke a session (`current` = the one making this request; sign out)",
  description: `${ACCOUNT_POWER}Needs account_sessions:manage.`,
  security: authed,
  request: { params: z.object({ id: z.string() }) },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

const securityLogRoute = createRoute({
  method: "get",
  path: "/admin/account/security-log",
  tags: ["account"],
  summary: "Your security log: PATs created and revoked, sessions begun and ended; newest first",
  description: `${ACCOUNT_POWER}Needs account:read. Each entry names the credential that made the change, the request id and the client's address and user agent.`,
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(SecurityEventSchema)), ...errorResponses },
});

/** The request a change to the account's credentials comes from, for its security-log entry. */
const viaOf = (c: Context<AppEnv>): Via => ({ requestId: c.var.requestId, client: clientOf(c.req) });

const beforeOf = (cursor: string | undefined) => {
  const before = cursorKey(cursor);
  return typeof before === "string" ? before : null;
};

export const accountRoutes = newRouter()
  .openapi(me, async (c) => {
    const { user, memberships } = await accountOf(c.var.db, requireUser(c).userId);
    return c.json(
      { user: toUserView(user), organizations: memberships.map((m) => toMembershipView(m.org, m.roles, user)) },
      200,
    );
  })
  .openapi(createToken, async (c) => {
    const p = requireAccountScope(c, "account_tokens:manage");
    const { row, token } = await createPersonalToken(c.var.db, p, c.req.valid("json"), viaOf(c), limitsOf(c.env));
    return c.json({ ...toTokenView(row), token }, 201);
  })
  .openapi(listTokens, async (c) => {
    const p = requireAccountScope(c, "account:read");
    const { limit, cursor } = c.req.valid("query");
    const rows = await listPersonalTokens(c.var.db, p, limit, beforeOf(cursor));
    const page = paginate(rows, limit, (r) => [r.id]);
    return c.json({ data: page.data.map(toTokenView), next_cursor: page.next_cursor }, 200);
  })
  .openapi(revokeToken, async (c) => {
    const { id } = c.req.valid("param");
    const self = c.var.principal.kind === "pat" && c.var.principal.tokenId === id;
    // Revoking itself only ever takes power away, so a PAT may always do it.
    const p = self ? requireUser(c) : requireAccountScope(c, "account_tokens:manage");
    await revokePersonalToken(c.var.db, p, id, viaOf(c));
    return c.body(null, 204);
  })
  .openapi(listSessionsRoute, async (c) => {
    const p = requireAccountScope(c, "account:read");
    const page = await listSessions(c.var.db, p.userId, c.req.valid("query"));
    const current = p.kind === "session" ? p.sessionId : null;
    return c.json({ data: page.data.map((s) => toSessionView(s, current)), next_cursor: page.next_cursor }, 200);
  })
  .openapi(revokeSessionRoute, async (c) => {
    const p = requireAccountScope(c, "account_sessions:manage");
    await revokeSession(c.var.db, p, c.req.valid("param").id, viaOf(c));
    return c.body(null, 204);
  })
  .openapi(securityLogRoute, async (c) => {
    const p = requireAccountScope(c, "account:read");
    const { limit, cursor } = c.req.valid("query");
    const page = await listSecurityLog(c.var.db, p.userId, { limit, before: beforeOf(cursor) });
    return c.json({ data: page.data.map(toSecurityEventView), next_cursor: page.next_cursor }, 200);
  });
