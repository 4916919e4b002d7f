import { drizzle } from "drizzle-orm/d1";
import { noteWrite } from "./read-cache";

export type Db = ReturnType<typeof makeDb>;

/**
 * A drizzle client over the D1 binding, one per request. Built without the schema: nothing
 * uses drizzle's relational `db.query` API, and handing it the schema would rebuild the
 * relations of every table on every request (~40 µs each, measured in Node).
 *
 * The binding is wrapped so that every write through it, drizzle's or raw `db.$client`, tells
 * the read cache (src/db/read-cache.ts) when it has completed.
 */
export function makeDb(d1: D1Database) {
  return drizzle(watchingWrites(d1));
}

// Conservative: anything that is not plainly a SELECT counts as a write. A false "write" only
// costs a cache miss; a missed one would serve a stale read.
const isRead = (sql: string) => /^\s*(select|with)\b/i.test(sql) && !/\b(insert|update|delete|replace)\b/i.test(sql);

const unwrapped = new WeakMap<D1PreparedStatement, D1PreparedStatement>();
const EXECUTING = new Set<PropertyKey>(["run", "all", "first", "raw"]);

/** A write statement whose execution (and that of every `bind()` of it) is reported when done. */
function watched(stmt: D1PreparedStatement): D1PreparedStatement {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "bind") return (...values: unknown[]) => watched(value.apply(target, values));
      if (!EXECUTING.has(prop)) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } finally {
          noteWrite();
        }
      };
    },
  });
  unwrapped.set(proxy, stmt);
  return proxy;
}

/** prepare and batch of a database or a session, with writes reported. */
function watchedQueries(d1: Pick<D1Database, "prepare" | "batch">): Pick<D1Database, "prepare" | "batch"> {
  return {
    prepare: (sql) => (isRead(sql) ? d1.prepare(sql) : watched(d1.prepare(sql))),
    batch: async (statements) => {
      const real = statements.map((s) => unwrapped.get(s) ?? s);
      const writes = real.some((s, i) => s !== statements[i]);
      try {
        return await d1.batch(real);
      } finally {
        if (writes) noteWrite();
      }
    },
  };
}

function watchingWrites(d1: D1Database): D1Database {
  return {
    ...watchedQueries(d1),
    exec: async (sql) => {
      try {
        return await d1.exec(sql);
      } finally {
        noteWrite();
      }
    },
    dump: () => d1.dump(),
    withSession: (constraint) => {
      const session = d1.withSession(constraint);
      return { ...watchedQueries(session), getBookmark: () => session.getBookmark() };
    },
  };
}
