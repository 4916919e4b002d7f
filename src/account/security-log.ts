import { and, desc, eq, lt } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { securityLog, type SecurityAction, type SecurityLogRow } from "../db/schema";
import { newId } from "../lib/crypto";
import { paginate, type Page } from "../lib/pagination";
import type { Actor } from "../auth/principal";

/**
 * The per-user security log: every PAT created or revoked and every session begun or ended,
 * with the credential that did it, the request id and the client's address and user agent.
 * A row is written in the same D1 batch as the change it records; the user reads their own
 * rows at GET /admin/account/security-log.
 */

/** Where a request came from, as Cloudflare's edge reports it (clients cannot set cf-connecting-ip there). */
export type ClientInfo = { ip: string | null; userAgent: string | null };

/** The request a change to an account's credentials comes from. */
export type Via = { requestId: string | null; client: ClientInfo };

/** Who made a change to an account's credentials: an Actor, or the sign-in that began a session. */
export type SecurityActor = Actor | { kind: "sign_in"; requestId: string | null };

export function clientOf(req: { header(name: string): string | undefined }): ClientInfo {
  return {
    ip: req.header("cf-connecting-ip")?.slice(0, 64) ?? null,
    userAgent: req.header("user-agent")?.slice(0, 200) ?? null,
  };
}

export type SecurityEvent = {
  userId: string;
  action: SecurityAction;
  targetId: string;
  actor: SecurityActor;
  client: ClientInfo;
  details?: Record<string, unknown>;
};

function actorColumns(a: SecurityActor): Pick<SecurityLogRow, "actorKind" | "actorCredentialId"> {
  if (a.kind === "sign_in") return { actorKind: "sign_in", actorCredentialId: null };
  if (a.kind === "session" || a.kind === "pat") return { actorKind: a.kind, actorCredentialId: a.credentialId };
  // An org API key never reaches an account; anything else is the service itself.
  return { actorKind: "system", actorCredentialId: null };
}

/** The log row for a change, to put in the same D1 batch as the change itself. */
export function securityLogStatement(db: Db, e: SecurityEvent): BatchItem<"sqlite"> {
  return db.insert(securityLog).values({
    id: newId("sec"),
    userId: e.userId,
    action: e.action,
    targetId: e.targetId,
    ...actorColumns(e.actor),
    requestId: e.actor.requestId,
    ip: e.client.ip,
    userAgent: e.client.userAgent,
    details: e.details ?? null,
    createdAt: Date.now(),
  });
}

/** One page of the user's own log, newest first (ids are time-ordered; cursor = last id). */
export async function listSecurityLog(
  db: Db,
  userId: string,
  q: { limit: number; before: string | null },
): Promise<Page<SecurityLogRow>> {
  const rows = await db
    .select()
    .from(securityLog)
    .where(and(eq(securityLog.userId, userId), q.before ? lt(securityLog.id, q.before) : undefined))
    .orderBy(desc(securityLog.id))
    .limit(q.limit + 1);
  return paginate(rows, q.limit, (r) => [r.id]);
}
