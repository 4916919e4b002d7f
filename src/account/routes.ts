import { createRoute, z } from "@hono/zod-openapi";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { paginate, cursorKey } from "../lib/pagination";
import { requireUser } from "../auth/guards";
import { accountOf } from "./me";
import { CreateTokenBody } from "./schemas";
import { listSessions, revokeSession } from "./sessions";
import { createPersonalToken, listPersonalTokens, revokePersonalToken } from "./tokens";
import { limitsOf } from "../quotas/limits";
import {
  MembershipSchema,
  SessionSchema,
  TokenSchema,
  UserSchema,
  toMembershipView,
  toSessionView,
  toTokenView,
  toUserView,
} from "./views";

const me = createRoute({
  method: "get",
  path: "/admin/me",
  tags: ["account"],
  summary: "The signed-in user and their memberships with roles",
  security: authed,
  responses: { 200: json(z.object({ user: UserSchema, organizations: z.array(MembershipSchema) })), ...errorResponses },
});

const createToken = createRoute({
  method: "post",
  path: "/admin/account/tokens",
  tags: ["account"],
  summary: "Create a personal access token (pat_…); the secret is shown once",
  description: "Active tokens per user are limited (MAX_PATS_PER_USER, default 25): beyond that 403 quota_exceeded.",
  security: authed,
  request: { body: jsonBody(CreateTokenBody) },
  responses: { 201: json(TokenSchema.extend({ token: z.string() }), "Created"), ...errorResponses },
});

const listTokens = createRoute({
  method: "get",
  path: "/admin/account/tokens",
  tags: ["account"],
  summary: "List your active personal access tokens (never the secret)",
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(TokenSchema)), ...errorResponses },
});

const revokeToken = createRoute({
  method: "delete",
  path: "/admin/account/tokens/{id}",
  tags: ["account"],
  summary: "Revoke a personal access token",
  security: authed,
  request: { params: z.object({ id: z.string() }) },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

const listSessionsRoute = createRoute({
  method: "get",
  path: "/admin/account/sessions",
  tags: ["account"],
  summary: "List your active sign-in sessions, newest first",
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(SessionSchema)), ...errorResponses },
});

const revokeSessionRoute = createRoute({
  method: "delete",
  path: "/admin/account/sessions/{id}",
  tags: ["account"],
  summary: "Revoke a session (`current` = the one making this request; sign out)",
  security: authed,
  request: { params: z.object({ id: z.string() }) },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

/** The session making the request, if the credential is one. */
const currentSessionOf = (p: ReturnType<typeof requireUser>) => (p.kind === "session" ? p.sessionId : null);

export const accountRoutes = newRouter()
  .openapi(me, async (c) => {
    const { user, memberships } = await accountOf(c.var.db, requireUser(c).userId);
    return c.json(
      { user: toUserView(user), organizations: memberships.map((m) => toMembershipView(m.org, m.roles)) },
      200,
    );
  })
  .openapi(createToken, async (c) => {
    const p = requireUser(c);
    const { row, token } = await createPersonalToken(c.var.db, p.userId, c.req.valid("json"), limitsOf(c.env));
    return c.json({ ...toTokenView(row), token }, 201);
  })
  .openapi(listTokens, async (c) => {
    const p = requireUser(c);
    const { limit, cursor } = c.req.valid("query");
    const before = cursorKey(cursor);
    const rows = await listPersonalTokens(c.var.db, p.userId, limit, typeof before === "string" ? before : null);
    const page = paginate(rows, limit, (r) => [r.id]);
    return c.json({ data: page.data.map(toTokenView), next_cursor: page.next_cursor }, 200);
  })
  .openapi(revokeToken, async (c) => {
    const p = requireUser(c);
    await revokePersonalToken(c.var.db, p.userId, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(listSessionsRoute, async (c) => {
    const p = requireUser(c);
    const page = await listSessions(c.var.db, p.userId, c.req.valid("query"));
    const current = currentSessionOf(p);
    return c.json({ data: page.data.map((s) => toSessionView(s, current)), next_cursor: page.next_cursor }, 200);
  })
  .openapi(revokeSessionRoute, async (c) => {
    const p = requireUser(c);
    await revokeSession(c.var.db, p.userId, c.req.valid("param").id, currentSessionOf(p));
    return c.body(null, 204);
  });
