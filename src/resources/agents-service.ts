import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { agents, type AgentRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { newId } from "../lib/crypto";
import type { AgentInput, AgentPatch } from "./agents-schemas";

/** An agent of this org, or null (another org's agent is as invisible as a missing one). */
export async function findAgent(db: Db, orgId: string, id: string): Promise<AgentRow | null> {
  return (
    (
      await db
        .select()
        .from(agents)
        .where(and(eq(agents.id, id), eq(agents.orgId, orgId)))
        .limit(1)
    )[0] ?? null
  );
}

export async function getAgent(db: Db, orgId: string, id: string): Promise<AgentRow> {
  const row = await findAgent(db, orgId, id);
  if (!row) throw new AppError("not_found", "Agent not found.");
  return row;
}

export function listAgents(db: Db, orgId: string, limit: number, before: string | null) {
  return db
    .select()
    .from(agents)
    .where(and(eq(agents.orgId, orgId), before ? lt(agents.id, before) : undefined))
    .orderBy(desc(agents.id))
    .limit(limit + 1);
}

export async function createAgent(db: Db, orgId: string, input: AgentInput): Promise<AgentRow> {
  const now = Date.now();
  const row: AgentRow = {
    id: newId("agt"),
    orgId,
    name: input.name,
    description: input.description ?? null,
    channel: input.channel,
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(agents).values(row);
  return row;
}

export async function updateAgent(db: Db, orgId: string, id: string, patch: AgentPatch): Promise<AgentRow> {
  const rows = await db
    .update(agents)
    .set({ ...patch, updatedAt: Date.now() })
    .where(and(eq(agents.id, id), eq(agents.orgId, orgId)))
    .returning();
  if (!rows[0]) throw new AppError("not_found", "Agent not found.");
  return rows[0];
}

export async function deleteAgent(db: Db, orgId: string, id: string): Promise<void> {
  const rows = await db
    .delete(agents)
    .where(and(eq(agents.id, id), eq(agents.orgId, orgId)))
    .returning({ id: agents.id });
  if (!rows[0]) throw new AppError("not_found", "Agent not found.");
}
