import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { and, desc, eq, gte, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditLog, type AuditRow } from "../db/schema";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { AppError } from "../lib/errors";
import { PageQuery, pageOf } from "../http/pagination";
import { paginate, cursorKey } from "../lib/pagination";
import { requireScope } from "../auth/guards";
import { AUDIT_ACTIONS } from "./log";

const AuditEntrySchema = z
  .object({
    id: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    actor: z.object({
      user_id: z.string().nullable(),
      credential_kind: z.enum(["session", "pat", "api_key", "system"]),
      credential_id: z.string().nullable(),
    }),
    target: z.object({ type: z.string(), id: z.string().nullable() }),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
    request_id: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("AuditEntry");

const AuditQuery = PageQuery.extend({
  action: z.enum(AUDIT_ACTIONS).optional(),
  actor_id: z.string().max(64).optional().openapi({ description: "A user id, or the id of the API key / PAT used" }),
  target_type: z.enum(["member", "invitation", "api_key", "organization"]).optional(),
  target_id: z.string().max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, inclusive" }),
  until: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, exclusive" }),
});
type AuditFilters = z.infer<typeof AuditQuery>;

function view(r: AuditRow) {
  return {
    id: r.id,
    action: r.action as (typeof AUDIT_ACTIONS)[number],
    actor: { user_id: r.actorUserId, credential_kind: r.credentialKind, credential_id: r.credentialId },
    target: { type: r.targetType, id: r.targetId },
    before: r.before ?? null,
    after: r.after ?? null,
    request_id: r.requestId,
    created_at: new Date(r.createdAt).toISOString(),
  };
}

/** One page of an org's audit log, newest first. One query. */
export async function listAuditLog(db: Db, orgId: string, f: AuditFilters & { before: string | null }) {
  const since = f.since ? Date.parse(f.since) : undefined;
  const until = f.until ? Date.parse(f.until) : undefined;
  if (since !== undefined && until !== undefined && until <= since) {
    throw new AppError("validation_failed", "until must be after since.", {
      errors: [{ field: "until", message: "must be after since" }],
    });
  }
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.orgId, orgId),
        f.action ? eq(auditLog.action, f.action) : undefined,
        f.actor_id ? or(eq(auditLog.actorUserId, f.actor_id), eq(auditLog.credentialId, f.actor_id)) : undefined,
        f.target_type ? eq(auditLog.targetType, f.target_type) : undefined,
        f.target_id ? eq(auditLog.targetId, f.target_id) : undefined,
        since !== undefined ? gte(auditLog.createdAt, since) : undefined,
        until !== undefined ? lt(auditLog.createdAt, until) : undefined,
        f.before ? lt(auditLog.id, f.before) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(f.limit + 1);
  const page = paginate(rows, f.limit, (r) => [r.id]);
  return { data: page.data.map(view), next_cursor: page.next_cursor };
}

const list = createRoute({
  method: "get",
  path: "/admin/audit-log",
  ...orgScoped,
  tags: ["audit log"],
  summary: "Who changed members, roles, invitations, keys, settings, ownership (owners and admins)",
  security: authed,
  request: { query: AuditQuery },
  responses: { 200: json(pageOf(AuditEntrySchema)), ...errorResponses },
});

export const auditRoutes = newRouter().openapi(list, async (c) => {
  requireScope(c, "audit_log:read");
  const q = c.req.valid("query");
  const before = cursorKey(q.cursor);
  return c.json(
    await listAuditLog(c.var.db, c.var.org.org.id, { ...q, before: typeof before === "string" ? before : null }),
    200,
  );
});
