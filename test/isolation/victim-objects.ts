import { env } from "cloudflare:workers";
import { addMember, call, createOrg, createUser, db, uniq, type tenant } from "../harness";
import { createInvitation } from "../../src/invitations/service";

/**
 * Creates one object of each kind in the victim org so routes that address objects by
 * id can be tried against it. Capabilities add their objects here (and to routes.ts).
 */
export async function buildVictimObjects(a: Awaited<ReturnType<typeof tenant>>): Promise<Record<string, string>> {
  const member = await createUser();
  await addMember(a.org, member, ["member"]);
  const actor = { kind: "system" as const, userId: null, credentialId: null, requestId: null };
  const { invitation } = await createInvitation(
    env,
    db(),
    a.org,
    { email: `${uniq("victim")}@example.com`, role: "member" },
    actor,
  );
  const agent = await call("POST", "/admin/agents", { token: a.key, body: { name: "Victim agent" } });
  const knowledgeBase = await call("POST", "/admin/knowledge-bases", { token: a.key, body: { name: "Victim KB" } });
  const running = await call("POST", "/admin/calls", {
    token: a.key,
    body: { channel: "voice", direction: "inbound" },
  });
  if (agent.status !== 201 || knowledgeBase.status !== 201 || running.status !== 201)
    throw new Error("victim objects not created");
  // A custom domain and branding of A: B must never see either.
  const domain = `${uniq("victim")}.example.com`;
  const claimed = await call("PUT", "/admin/organization/domain", { token: a.key, body: { domain } });
  const branded = await call("PUT", "/admin/organization/branding", {
    token: a.key,
    body: { display_name: "Victim Brand" },
  });
  if (claimed.status !== 200 || branded.status !== 200) throw new Error("victim domain or branding not set");
  // Partner console: a child of A, which no other tenant's subtree contains.
  const child = await createOrg(a.owner, { parentId: a.org.id, slug: uniq("victim-child-") });
  return {
    member: member.id,
    invitation: invitation.id,
    agent: agent.json.id,
    knowledgeBase: knowledgeBase.json.id,
    call: running.json.id,
    childOrg: child.id,
    childOrgSlug: child.slug,
    domain,
    brand: "Victim Brand",
  };
}
