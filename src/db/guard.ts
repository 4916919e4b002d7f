import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";
import { AppError } from "../lib/errors";
import { asBatch, dbErrorText } from "./batch";

/**
 * A batch statement that aborts the whole D1 batch when the statement just before it
 * changed no row. Conditional writes (`… WHERE status = 'pending'`, `… WHERE is_owner = 1`)
 * followed by this guard are all-or-nothing: when a concurrent request won, nothing of
 * the batch is written and the caller sees `isStaleWrite(err)`. See migration 0002
 * (`batch_guard` refuses every row).
 */
export function abortUnlessChanged(db: Db): BatchItem<"sqlite"> {
  // No bound parameters: drizzle's D1 batch cannot bind parameters of raw statements.
  return db.run(sql.raw("INSERT INTO batch_guard (reason) SELECT 'stale' WHERE changes() = 0"));
}

export function isStaleWrite(err: unknown): boolean {
  const msg = dbErrorText(err);
  return msg.includes("stale_write") || msg.includes("batch_guard");
}

/** Runs a batch of guarded statements; a lost race becomes a 409 the client may retry. */
export async function runGuarded(
  db: Db,
  stmts: BatchItem<"sqlite">[],
  detail = "The resource changed concurrently; retry.",
): Promise<void> {
  try {
    await db.batch(asBatch(stmts));
  } catch (err) {
    if (isStaleWrite(err)) throw new AppError("conflict", detail);
    throw err;
  }
}
