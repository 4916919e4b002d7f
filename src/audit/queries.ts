import { and, desc, eq, gte, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditLog, type AuditRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { cursorKey, type Page, paginate } from "../lib/pagination";
import type { AuditFilters } from "./schemas";

/** One page of an org's audit log, newest first. One query. */
export async function listAuditLog(db: Db, orgId: string, f: AuditFilters): Promise<Page<AuditRow>> {
  const since = f.since ? Date.parse(f.since) : undefined;
  const until = f.until ? Date.parse(f.until) : undefined;
  if (since !== undefined && until !== undefined && until <= since) {
    throw new AppError("validation_failed", "until must be after since.", {
      errors: [{ field: "until", message: "must be after since" }],
    });
  }
  const before = cursorKey(f.cursor);
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
        typeof before === "string" ? lt(auditLog.id, before) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(f.limit + 1);
  return paginate(rows, f.limit, (r) => [r.id]);
}
