import { env } from "cloudflare:workers";
import type { OrganizationRow } from "../../src/db/schema";
import { formatRoles, type Role } from "../../src/auth/scopes";
import { createKey, createOrg, createUser, tenant, uniq, type TestUser } from "../harness";

export type Tree = Awaited<ReturnType<typeof partnerTree>>;

/**
 * An agency and its tree, plus an unrelated tenant:
 *
 *   agency ─┬─ childA ─┬─ a1 ── a1x ── a1xy      (a1xy is at depth 4)
 *           │          └─ a2
 *           └─ childB ─── b1
 *   stranger (another tenant, no relation)
 */
export async function partnerTree() {
  const agency = await tenant();
  const under = (parent: OrganizationRow, slug: string, by: TestUser = agency.owner) =>
    createOrg(by, { parentId: parent.id, slug: uniq(`pc-${slug}-`) });
  const childA = await under(agency.org, "child-a");
  const childB = await under(agency.org, "child-b");
  const a1 = await under(childA, "a1");
  const a2 = await under(childA, "a2");
  const b1 = await under(childB, "b1");
  const a1x = await under(a1, "a1x");
  const a1xy = await under(a1x, "a1xy");
  const childAKey = await createKey(childA, { createdBy: agency.owner.id });
  const stranger = await tenant();
  // A plain member of a1x, for the member routes.
  const spare = await createUser();
  await ensureMember(a1x.id, spare, ["member"]);
  return { agency, childA, childB, a1, a2, b1, a1x, a1xy, childAKey: childAKey.token, stranger, spare };
}

/** Makes `user` a member of `orgId` with `roles` (again, if a test removed them). */
export async function ensureMember(orgId: string, user: TestUser, roles: Role[]): Promise<void> {
  await env.DB.prepare("INSERT OR REPLACE INTO memberships (org_id, user_id, roles, created_at) VALUES (?, ?, ?, ?)")
    .bind(orgId, user.id, formatRoles(roles), Date.now())
    .run();
}
