import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";

/** drizzle's batch wants a non-empty tuple; our statement lists always start with one. */
export function asBatch(stmts: BatchItem<"sqlite">[]): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  if (stmts.length === 0) throw new Error("empty batch");
  return stmts as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
}

/** Runs statements as one D1 batch (one transaction); an empty list does nothing. */
export async function runBatch(db: Db, stmts: BatchItem<"sqlite">[]): Promise<void> {
  if (stmts.length > 0) await db.batch(asBatch(stmts));
}

/** The text of a D1 error, including its cause, for the constraint classifiers to match on. */
export function dbErrorText(err: unknown): string {
  return String((err as { message?: string })?.message ?? err) + String((err as { cause?: unknown })?.cause ?? "");
}
