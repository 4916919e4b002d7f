import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import type { AuditRow } from "../db/schema";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { pageOf } from "../http/pagination";
import { requireScope } from "../auth/guards";
import { AUDIT_ACTIONS, type AuditAction } from "./log";
import { listAuditLog } from "./queries";
import { AuditQuery } from "./schemas";

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

function view(r: AuditRow) {
  return {
    id: r.id,
    action: r.action as AuditAction,
    actor: { user_id: r.actorUserId, credential_kind: r.credentialKind, credential_id: r.credentialId },
    target: { type: r.targetType, id: r.targetId },
    before: r.before ?? null,
    after: r.after ?? null,
    request_id: r.requestId,
    created_at: new Date(r.createdAt).toISOString(),
  };
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
  const page = await listAuditLog(c.var.db, c.var.org.org.id, c.req.valid("query"));
  return c.json({ data: page.data.map(view), next_cursor: page.next_cursor }, 200);
});
