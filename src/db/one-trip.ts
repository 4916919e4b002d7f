import type { SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

const dialect = new SQLiteAsyncDialect();

/**
 * Runs two raw SQL reads in one D1 batch: one round trip instead of two (local D1 serves
 * one query at a time, so round trips are what a request costs). drizzle's `db.batch`
 * cannot bind the parameters of raw SQL, hence the D1 client itself.
 */
export async function readInOneTrip<A, B>(db: Db, a: SQL, b: SQL): Promise<[A[], B[]]> {
  const stmt = (q: SQL) => {
    const { sql, params } = dialect.sqlToQuery(q);
    return db.$client.prepare(sql).bind(...params);
  };
  const [ra, rb] = await db.$client.batch([stmt(a), stmt(b)]);
  return [(ra?.results ?? []) as A[], (rb?.results ?? []) as B[]];
}
