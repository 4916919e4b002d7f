import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { sessions, users } from "../db/schema";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { AppError } from "../lib/errors";
import { iso } from "../lib/dates";
import { PageQuery, pageOf } from "../http/pagination";
import { paginate, cursorKey } from "../lib/pagination";
import { requireUser } from "../auth/guards";
import { sessionCache } from "../auth/cache";
import { parseRoles, SCOPES } from "../auth/scopes";
import { listMembershipsOfUser } from "../orgs/queries";
import { MembershipSchema, UserSchema, toMembershipView, toUserView } from "./views";
import { createPersonalToken, listPersonalTokens, revokePersonalToken } from "./tokens";

const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hint: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    expires_at: z.number().nullable().openapi({ description: "epoch ms, null = never" }),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("PersonalAccessToken");

export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1, "name is required").max(100),
    scopes: z.array(z.enum(SCOPES)).min(1).optional(),
    expires_at: z.number().int().positive().nullable().optional().openapi({ description: "epoch ms; null = never" }),
    expires_in_days: z.number().int().min(1).max(365).optional().openapi({ description: "preset: 1–365 days" }),
  })
  .strict();

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

const SessionSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  user_agent: z.string().nullable(),
  current: z.boolean(),
});

const listSessions = createRoute({
  method: "get",
  path: "/admin/account/sessions",
  tags: ["account"],
  summary: "List your active sign-in sessions",
  security: authed,
  responses: { 200: json(z.object({ data: z.array(SessionSchema) })), ...errorResponses },
});

const revokeSession = createRoute({
  method: "delete",
  path: "/admin/account/sessions/{id}",
  tags: ["account"],
  summary: "Revoke a session (`current` = the one making this request; sign out)",
  security: authed,
  request: { params: z.object({ id: z.string() }) },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

function tokenView(r: Awaited<ReturnType<typeof listPersonalTokens>>[number]) {
  return {
    id: r.id,
    name: r.name,
    hint: r.tokenHint,
    scopes: r.scopes as (typeof SCOPES)[number][],
    expires_at: r.expiresAt,
    last_used_at: iso(r.lastUsedAt),
    created_at: new Date(r.createdAt).toISOString(),
  };
}

export const accountRoutes = newRouter()
  .openapi(me, async (c) => {
    const p = requireUser(c);
    const db = c.var.db;
    const [userRows, rows] = await Promise.all([
      db.select().from(users).where(eq(users.id, p.userId)).limit(1),
      listMembershipsOfUser(db, p.userId),
    ]);
    const user = userRows[0];
    if (!user) throw new AppError("invalid_credential", "The user of this credential no longer exists.");
    return c.json(
      { user: toUserView(user), organizations: rows.map((r) => toMembershipView(r.org, parseRoles(r.roles))) },
      200,
    );
  })
  .openapi(createToken, async (c) => {
    const p = requireUser(c);
    const { row, token } = await createPersonalToken(c.var.db, p.userId, c.req.valid("json"));
    return c.json({ ...tokenView(row), token }, 201);
  })
  .openapi(listTokens, async (c) => {
    const p = requireUser(c);
    const { limit, cursor } = c.req.valid("query");
    const before = cursorKey(cursor);
    const rows = await listPersonalTokens(c.var.db, p.userId, limit, typeof before === "string" ? before : null);
    const page = paginate(rows, limit, (r) => [r.id]);
    return c.json({ data: page.data.map(tokenView), next_cursor: page.next_cursor }, 200);
  })
  .openapi(revokeToken, async (c) => {
    const p = requireUser(c);
    await revokePersonalToken(c.var.db, p.userId, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(listSessions, async (c) => {
    const p = requireUser(c);
    const rows = await c.var.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, p.userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, Date.now())))
      .orderBy(desc(sessions.createdAt))
      .limit(100);
    const current = p.kind === "session" ? p.sessionId : null;
    return c.json(
      {
        data: rows.map((s) => ({
          id: s.id,
          created_at: new Date(s.createdAt).toISOString(),
          expires_at: new Date(s.expiresAt).toISOString(),
          user_agent: s.userAgent,
          current: s.id === current,
        })),
      },
      200,
    );
  })
  .openapi(revokeSession, async (c) => {
    const p = requireUser(c);
    let id = c.req.valid("param").id;
    if (id === "current") {
      if (p.kind !== "session" || !p.sessionId)
        throw new AppError("unprocessable", "This request is not made with a session.");
      id = p.sessionId;
    }
    const rows = await c.var.db
      .update(sessions)
      .set({ revokedAt: Date.now() })
      .where(and(eq(sessions.id, id), eq(sessions.userId, p.userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (!rows[0]) throw new AppError("not_found", "Session not found.");
    sessionCache.delete(id);
    return c.body(null, 204);
  });
