import { drizzle } from "drizzle-orm/d1";

export type Db = ReturnType<typeof makeDb>;

/**
 * A drizzle client over the D1 binding, one per request. Built without the schema: nothing
 * uses drizzle's relational `db.query` API, and handing it the schema would rebuild the
 * relations of every table on every request (~40 µs each, measured in Node).
 */
export function makeDb(d1: D1Database) {
  return drizzle(d1);
}
