import type { Context } from "hono";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { auditLog } from "../db/schema";
import type { AppEnv } from "../env";
import { newId } from "../lib/crypto";
import type { CredentialKind } from "../auth/principal";

/** Who made a change, as plain data (services never see the HTTP context). */
export type Actor = {
  kind: CredentialKind | "system";
  userId: string | null;
  credentialId: string | null;
  requestId: string | null;
  /** Shown as the inviter in invitation mail when known. */
  email?: string;
};

export function actorOf(c: Context<AppEnv>): Actor {
  const p = c.var.principal;
  const requestId = c.var.requestId ?? null;
  switch (p.kind) {
    case "api_key":
      return { kind: "api_key", userId: null, credentialId: p.keyId, requestId };
    case "pat":
      return { kind: "pat", userId: p.userId, credentialId: p.tokenId, requestId };
    case "session":
      return { kind: "session", userId: p.userId, credentialId: p.sessionId, requestId, email: p.email };
  }
}

export type AuditEntry = {
  orgId: string;
  actor: Actor;
  action: AuditAction;
  targetType: "member" | "invitation" | "api_key" | "organization";
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
  "invitation.created",
  "invitation.resent",
  "invitation.revoked",
  "invitation.accepted",
  "invitation.declined",
  "api_key.created",
  "api_key.revoked",
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
