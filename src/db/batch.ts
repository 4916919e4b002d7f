import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";

/** Runs statements as one D1 batch (one transaction); an empty list does nothing. */
export async function runBatch(db: Db, stmts: BatchItem<"sqlite">[]): Promise<void> {
  const [first, ...rest] = stmts;
  if (first) await db.batch([first, ...rest]);
}
