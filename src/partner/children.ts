import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { apiKeys, memberships } from "../db/schema";
import { abortUnlessChanged } from "../db/guard";
import { AppError } from "../lib/errors";
import { ROLE_SCOPES, ROLES } from "../auth/scopes";
import type { Actor } from "../auth/principal";
import type { DeletionCheck } from "../orgs/deletion";

/**
 * What the partner console re-checks in the database before it deletes an org of the
 * caller's subtree, as the in-org deletion re-checks ownership: the authority the request
 * was checked with may come from the per-isolate cache. In the deletion's own batch:
 *   - a user (session or PAT) still holds a role granting `child_organizations:manage` in
 *     the caller's org (`rootOrgId`);
 *   - an org API key is still unrevoked and unexpired.
 * The tree itself needs no re-check: parent_id never changes.
 */
export function partnerDeletionCheck(db: Db, rootOrgId: string, actor: Actor): DeletionCheck {
  const refused = () =>
    new AppError(
      "insufficient_scope",
      'Your access changed: this action requires the "child_organizations:manage" scope.',
    );
  if (actor.userId) {
    const granting = ROLES.filter((r) => ROLE_SCOPES[r].includes("child_organizations:manage"));
    const holds = or(...granting.map((r) => sql`instr(',' || ${memberships.roles} || ',', ${`,${r},`}) > 0`));
    return {
      refused,
      statements: [
        db
          .update(memberships)
          .set({ roles: sql`${memberships.roles}` })
          .where(and(eq(memberships.orgId, rootOrgId), eq(memberships.userId, actor.userId), holds)),
        abortUnlessChanged(db),
      ],
    };
  }
  if (actor.kind === "api_key" && actor.credentialId) {
    const live: BatchItem<"sqlite"> = db
      .update(apiKeys)
      .set({ revokedAt: sql`${apiKeys.revokedAt}` })
      .where(
        and(
          eq(apiKeys.id, actor.credentialId),
          eq(apiKeys.orgId, rootOrgId),
          isNull(apiKeys.revokedAt),
          or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, Date.now())),
        ),
      );
    return { refused, statements: [live, abortUnlessChanged(db)] };
  }
  return { refused, statements: [] };
}
