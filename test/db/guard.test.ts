import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditLog, memberships } from "../../src/db/schema";
import { abortUnlessChanged, isStaleWrite } from "../../src/db/guard";
import { asBatch } from "../../src/db/batch";
import { auditStatement } from "../../src/audit/log";
import { createOrg, createUser, db } from "../harness";

describe("abortUnlessChanged: a guarded batch is all-or-nothing", () => {
  const actor = { kind: "system" as const, userId: null, credentialId: null, requestId: "req_guard_test" };

  it("rolls back the whole batch when the guarded statement changed nothing", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const d = db();
    const err = await d
      .batch(
        asBatch([
          d
            .update(memberships)
            .set({ roles: "admin" })
            .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, "usr_nobody"))),
          abortUnlessChanged(d),
          auditStatement(d, {
            orgId: org.id,
            actor,
            action: "member.removed",
            targetType: "member",
            targetId: "usr_nobody",
          }),
        ]),
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isStaleWrite(err)).toBe(true);
    expect(await d.select().from(auditLog).where(eq(auditLog.orgId, org.id))).toEqual([]);
  });

  it("lets the batch through when the guarded statement changed a row", async () => {
    const owner = await createUser();
    const org = await createOrg(owner);
    const d = db();
    await d.batch(
      asBatch([
        d
          .update(memberships)
          .set({ createdAt: 1 })
          .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, owner.id))),
        abortUnlessChanged(d),
        auditStatement(d, {
          orgId: org.id,
          actor,
          action: "member.roles_changed",
          targetType: "member",
          targetId: owner.id,
        }),
      ]),
    );
    expect(await d.select().from(auditLog).where(eq(auditLog.orgId, org.id))).toHaveLength(1);
  });
});
