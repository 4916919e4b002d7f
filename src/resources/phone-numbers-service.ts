import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { phoneNumbers } from "../db/schema";

/** One page (`limit + 1` rows, for `paginate`) of the numbers assigned to an org, newest first. */
export function listPhoneNumbers(db: Db, orgId: string, limit: number, before: string | null) {
  return db
    .select()
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.orgId, orgId), before ? lt(phoneNumbers.id, before) : undefined))
    .orderBy(desc(phoneNumbers.id))
    .limit(limit + 1);
}
