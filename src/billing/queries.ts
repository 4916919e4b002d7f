import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  billingAccounts,
  ledgerEntries,
  organizations,
  type BillingAccountRow,
  type LedgerEntryRow,
} from "../db/schema";
import type { OrganizationRow } from "../db/schema";
import { payerOf } from "../db/tree";
import { AppError } from "../lib/errors";
import { cursorParts, type Page, paginate } from "../lib/pagination";

export type Payer = { id: string; name: string; slug: string; account: BillingAccountRow };
export type BillingState = { account: BillingAccountRow; payer: Payer };

/**
 * An org's billing account and the account that pays its charges (its own, or its nearest
 * ancestor's that pays its own way). Two reads for a child billed to its parent, one otherwise.
 */
export async function billingStateOf(db: Db, org: OrganizationRow): Promise<BillingState> {
  const own = (await db.select().from(billingAccounts).where(eq(billingAccounts.orgId, org.id)).limit(1))[0];
  if (!own) throw new AppError("not_found", "This organization has no billing account.");
  if (org.billingMode === "own")
    return { account: own, payer: { id: org.id, name: org.name, slug: org.slug, account: own } };
  const payerId = await payerOf(db, org.id);
  const row = payerId
    ? (
        await db
          .select({ org: organizations, account: billingAccounts })
          .from(organizations)
          .innerJoin(billingAccounts, eq(billingAccounts.orgId, organizations.id))
          .where(eq(organizations.id, payerId))
          .limit(1)
      )[0]
    : undefined;
  if (!row) throw new AppError("not_found", "The organization that pays for this one no longer exists.");
  return { account: own, payer: { id: row.org.id, name: row.org.name, slug: row.org.slug, account: row.account } };
}

/** One page of an account's ledger, newest first (the entries whose balance is this org's). */
export async function ledgerPage(
  db: Db,
  orgId: string,
  q: { limit: number; cursor?: string },
): Promise<Page<LedgerEntryRow>> {
  const after = cursorParts(q.cursor, ["number"] as const)?.[0];
  const rows = await db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.orgId, orgId), after !== undefined ? lt(ledgerEntries.seq, after) : undefined))
    .orderBy(desc(ledgerEntries.seq))
    .limit(q.limit + 1);
  return paginate(rows, q.limit, (r) => [r.seq]);
}
