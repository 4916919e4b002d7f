import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { sessions } from "../db/schema";
import { AppError } from "../lib/errors";
import { cursorParts, type Page, paginate } from "../lib/pagination";
import { sessionCache } from "../auth/cache";
import { abortUnlessChanged, isStaleWrite } from "../db/guard";
import { actorOfPrincipal, type UserPrincipal } from "../auth/principal";
import { securityLogStatement, type Via } from "./security-log";

export type SessionRow = typeof sessions.$inferSelect;

/**
 * One page of the user's live sessions, newest first. Sessions are ordered by when they
 * began, so the cursor carries that time and the id that breaks ties between equal times.
 */
export async function listSessions(
  db: Db,
  userId: string,
  q: { limit: number; cursor?: string },
): Promise<Page<SessionRow>> {
  const [at, id] = cursorParts(q.cursor, ["number", "string"] as const) ?? [];
  const after =
    at !== undefined && id !== undefined
      ? or(lt(sessions.createdAt, at), and(eq(sessions.createdAt, at), lt(sessions.id, id)))
      : undefined;
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, Date.now()), after))
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
    .limit(q.limit + 1);
  return paginate(rows, q.limit, (s) => [s.createdAt, s.id]);
}

/**
 * Revokes one of the user's sessions (signing it out at once, cache included). `"current"`
 * names the session making the request, if it is one. The security-log row is in the same
 * batch, written only if the session was revoked.
 */
export async function revokeSession(db: Db, caller: UserPrincipal, id: string, via: Via): Promise<void> {
  const target = id === "current" ? (caller.kind === "session" ? caller.sessionId : null) : id;
  if (!target) throw new AppError("unprocessable", "This request is not made with a session.");
  try {
    await db.batch([
      db
        .update(sessions)
        .set({ revokedAt: Date.now() })
        .where(and(eq(sessions.id, target), eq(sessions.userId, caller.userId), isNull(sessions.revokedAt))),
      abortUnlessChanged(db),
      securityLogStatement(db, {
        userId: caller.userId,
        action: "session.revoked",
        targetId: target,
        actor: actorOfPrincipal(caller, via.requestId),
        client: via.client,
      }),
    ]);
  } catch (err) {
    if (isStaleWrite(err)) throw new AppError("not_found", "Session not found.");
    throw err;
  }
  sessionCache.delete(target);
}
