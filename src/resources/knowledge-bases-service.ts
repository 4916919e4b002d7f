import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { knowledgeBases, type KnowledgeBaseRow } from "../db/schema";
import { AppError } from "../lib/errors";
import { newId } from "../lib/crypto";

/** One page (`limit + 1` rows, for `paginate`) of an org's collections, newest first. */
export function listKnowledgeBases(db: Db, orgId: string, limit: number, before: string | null) {
  return db
    .select()
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.orgId, orgId), before ? lt(knowledgeBases.id, before) : undefined))
    .orderBy(desc(knowledgeBases.id))
    .limit(limit + 1);
}

/** A collection the org creates itself; only provisioning makes the default one. */
export async function createKnowledgeBase(db: Db, orgId: string, name: string): Promise<KnowledgeBaseRow> {
  const row: KnowledgeBaseRow = { id: newId("kb"), orgId, name, isDefault: false, createdAt: Date.now() };
  await db.insert(knowledgeBases).values(row);
  return row;
}

/** Deletes one of the org's collections; another org's is as missing as a nonexistent one. */
export async function deleteKnowledgeBase(db: Db, orgId: string, id: string): Promise<void> {
  const rows = await db
    .delete(knowledgeBases)
    .where(and(eq(knowledgeBases.id, id), eq(knowledgeBases.orgId, orgId)))
    .returning({ id: knowledgeBases.id });
  if (!rows[0]) throw new AppError("not_found", "Knowledge base not found.");
}
