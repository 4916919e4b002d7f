import { desc, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { billingAccounts, ledgerEntries, type LedgerKind } from "../db/schema";
import { newId } from "../lib/crypto";

export type Booking = {
  /** Whose balance: the payer. */
  orgId: string;
  kind: LedgerKind;
  /** Signed: credits are positive, charges negative. */
  amountCents: number;
  /** What is booked (`stripe:checkout:cs_…`, `trial:org_…`, `usage:org_…:call:…`): booked once, ever. */
  reference: string;
  description: string;
  sourceOrgId?: string | null;
  usageEventKey?: string | null;
  at?: number;
};

/**
 * One ledger entry, for the batch of whatever it books. A reference already booked is
 * ignored (its unique index), so a replay books nothing; the insert trigger of migration
 * 0009 moves the account's balance in the same statement, so balance = sum of entries.
 */
export function bookingStatement(db: Db, b: Booking): BatchItem<"sqlite"> {
  return db
    .insert(ledgerEntries)
    .values({
      id: newId("led"),
      orgId: b.orgId,
      kind: b.kind,
      amountCents: Math.trunc(b.amountCents),
      reference: b.reference,
      sourceOrgId: b.sourceOrgId ?? null,
      usageEventKey: b.usageEventKey ?? null,
      description: b.description,
      createdAt: b.at ?? Date.now(),
    })
    .onConflictDoNothing();
}

export async function accountOf(db: Db, orgId: string) {
  return (await db.select().from(billingAccounts).where(eq(billingAccounts.orgId, orgId)).limit(1))[0] ?? null;
}

/** The newest entries of an account (tests and the demo; the route pages with a cursor). */
export async function latestEntries(db: Db, orgId: string, limit = 20) {
  return db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.orgId, orgId))
    .orderBy(desc(ledgerEntries.seq))
    .limit(limit);
}
