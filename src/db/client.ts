import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof makeDb>;

/** A drizzle client over the D1 binding. Cheap to build; one per request. */
export function makeDb(d1: D1Database) {
  return drizzle(d1, { schema });
}
