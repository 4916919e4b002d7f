import { and, eq, isNotNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Scope } from "./scopes";

/**
 * What a credential may reach among other credentials: no credential ever creates, lists or
 * revokes a credential beyond its own power. A credential X is within the power of C when
 * every scope of X is one C holds (implied scopes included) and X expires no later than C.
 * C itself is always within its own power.
 */
export type Power = {
  /** The scopes the caller holds; "all": the signed-in user, whose own credentials are all within reach. */
  scopes: ReadonlySet<Scope> | "all";
  /** The caller's own expiry (epoch ms); null = the caller does not expire (a session stands for the user). */
  expiresAt: number | null;
  /** The caller's own credential id, if it is one of the credentials listed. */
  self: string | null;
};

export const UNLIMITED: Power = { scopes: "all", expiresAt: null, self: null };

type CredentialColumns = { id: SQLiteColumn; scopes: SQLiteColumn; expiresAt: SQLiteColumn };

/** The SQL condition "this row's credential is within `power`" (undefined: every row is). */
export function withinPower(t: CredentialColumns, power: Power): SQL | undefined {
  const conds: SQL[] = [];
  if (power.scopes !== "all") {
    const held = [...power.scopes];
    conds.push(
      held.length === 0
        ? sql`json_array_length(${t.scopes}) = 0`
        : sql`NOT EXISTS (SELECT 1 FROM json_each(${t.scopes}) WHERE json_each.value NOT IN (${sql.join(
            held.map((s) => sql`${s}`),
            sql`, `,
          )}))`,
    );
  }
  if (power.expiresAt !== null) {
    const expiry = and(isNotNull(t.expiresAt), lte(t.expiresAt, power.expiresAt));
    if (expiry) conds.push(expiry);
  }
  if (conds.length === 0) return undefined;
  const within = and(...conds);
  return power.self ? or(eq(t.id, power.self), within) : within;
}
