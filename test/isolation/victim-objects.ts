import { addMember, createUser, db, uniq, type tenant } from "../harness";
import { createInvitation } from "../../src/invitations/service";
import { env } from "cloudflare:workers";

/**
 * Creates one object of each kind in the victim org so routes that address objects by
 * id can be tried against it. Capabilities add their objects here (and to routes.ts).
 */
export async function buildVictimObjects(a: Awaited<ReturnType<typeof tenant>>): Promise<Record<string, string>> {
  const member = await createUser();
  await addMember(a.org, member, ["member"]);
  const actor = { kind: "system" as const, userId: null, credentialId: null, requestId: null };
  const { invitation } = await createInvitation(env, db(), a.org, { email: `${uniq("victim")}@example.com`, role: "member" }, actor);
  return { member: member.id, invitation: invitation.id };
}
