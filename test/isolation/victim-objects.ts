import { call, type tenant } from "../harness";

/**
 * Creates one object of each kind in the victim org so routes that address objects by
 * id can be tried against it. Capabilities add their objects here (and to routes.ts).
 */
export async function buildVictimObjects(a: Awaited<ReturnType<typeof tenant>>): Promise<Record<string, string>> {
  const agent = await call("POST", "/admin/agents", { token: a.key, body: { name: "Victim agent" } });
  const knowledgeBase = await call("POST", "/admin/knowledge-bases", { token: a.key, body: { name: "Victim KB" } });
  const running = await call("POST", "/admin/calls", { token: a.key, body: { channel: "voice", direction: "inbound" } });
  if (agent.status !== 201 || knowledgeBase.status !== 201 || running.status !== 201) throw new Error("victim objects not created");
  return { agent: agent.json.id, knowledgeBase: knowledgeBase.json.id, call: running.json.id };
}
