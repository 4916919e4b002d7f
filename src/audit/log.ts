import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { auditLog } from "../db/schema";
import { newId } from "../lib/crypto";
import type { Actor } from "../auth/principal";

/** What an entry is about (filterable with `?target_type=`). */
export const AUDIT_TARGET_TYPES = ["member", "invitation", "api_key", "organization"] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

export type AuditEntry = {
  orgId: string;
  actor: Actor;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
};

/** The closed list of recorded actions (filterable with `?action=`). */
export const AUDIT_ACTIONS = [
  "member.roles_changed",
  "member.removed",
  "member.left",
  "organization.ownership_transferred",
  "organization.updated",
  "organization.deleted",
  "organization.suspended",
  "organization.resumed",
  "invitation.created",
  "invitation.resent",
  "invitation.revoked",
  "invitation.accepted",
  "invitation.declined",
  "api_key.created",
  "api_key.revoked",
  "api_key.kept",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The audit row for a change, to put in the same D1 batch as the change itself. */
export function auditStatement(db: Db, e: AuditEntry): BatchItem<"sqlite"> {
  return db.insert(auditLog).values({
    id: newId("aud"),
    orgId: e.orgId,
    actorUserId: e.actor.userId,
    credentialId: e.actor.credentialId,
    credentialKind: e.actor.kind,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: e.actor.requestId,
    createdAt: Date.now(),
  });
}

/**
 * `organization.updated` for org `orgId`: the fields that changed, as they were and as they
 * are (settings, domain, branding, billing mode), in the same batch as the change.
 */
export function orgUpdatedStatement(db: Db, orgId: string, actor: Actor, before: unknown, after: unknown) {
  return auditStatement(db, {
    orgId,
    actor,
    action: "organization.updated",
    targetType: "organization",
    targetId: orgId,
    before,
    after,
  });
}
