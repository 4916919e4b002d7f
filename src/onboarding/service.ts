import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { runBatch } from "../db/batch";
import { users, type OrganizationRow, type UserRow } from "../db/schema";
import { newId } from "../lib/crypto";
import { safeName } from "../lib/names";
import type { OrgLifecycle } from "../orgs/lifecycle";
import { buildOrganizationRow, generateSlug, organizationStatements, isUniqueViolation } from "../orgs/service";

/**
 * Onboarding: the one place a user and their first organization come to exist.
 *
 * Returns the user with this (verified) e-mail, creating it on first sign-in together
 * with its first organization — named from the e-mail's local part, the user as owner —
 * in one D1 batch, with the rows every capability creates with an org (`lifecycle`).
 * `extra` statements (a session row) join the same batch.
 */
export async function findOrOnboardUser(
  db: Db,
  lifecycle: OrgLifecycle,
  email: string,
  extra: (user: UserRow) => BatchItem<"sqlite">[] = () => [],
): Promise<{ user: UserRow; created: boolean; firstOrg: OrganizationRow | null }> {
  const existing = (await db.select().from(users).where(eq(users.email, email)).limit(1))[0];
  if (existing) {
    const stmts = extra(existing);
    if (existing.emailVerifiedAt === null) {
      stmts.push(db.update(users).set({ emailVerifiedAt: Date.now() }).where(eq(users.id, existing.id)));
    }
    await runBatch(db, stmts);
    return { user: existing, created: false, firstOrg: null };
  }
  const now = Date.now();
  const user: UserRow = {
    id: newId("usr"),
    email,
    name: null,
    emailVerifiedAt: now,
    createdAt: now,
    personalOrgId: null,
  };
  const localPart = email.split("@")[0] ?? email;
  for (let attempt = 0; ; attempt++) {
    const slug = await generateSlug(db, localPart);
    // The name rule of names people type (lib/names): an external issuer's e-mail may hold anything.
    const input = {
      name: safeName(localPart, "My organization"),
      creatorUserId: user.id,
      creatorRoles: ["owner" as const],
    };
    const org = buildOrganizationRow(input, slug);
    try {
      // The first organization is the user's personal context (GET /admin/me marks it).
      user.personalOrgId = org.id;
      await db.batch([
        db.insert(users).values(user),
        ...organizationStatements(db, lifecycle, org, input),
        ...extra(user),
      ]);
      return { user, created: true, firstOrg: org };
    } catch (err) {
      // Two first sign-ins of the same e-mail at once: the loser reads the winner's user.
      if (isUniqueViolation(err, "users.email")) return findOrOnboardUser(db, lifecycle, email, extra);
      if (attempt < 3 && isUniqueViolation(err, "slug")) continue;
      throw err;
    }
  }
}
