import { and, desc, eq, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import {
  billingAccounts,
  ledgerEntries,
  organizations,
  type BillingAccountRow,
  type LedgerEntryRow,
} from "../db/schema";
import type { OrganizationRow } from "../db/schema";
import { cachedRead } from "../db/read-cache";
import { payersSql } from "../db/tree";
import { AppError } from "../lib/errors";
import { cursorParts, type Page, paginate } from "../lib/pagination";

export type Payer = { id: string; name: string; slug: string; account: BillingAccountRow };
export type BillingState = { account: BillingAccountRow; payer: Payer };

/**
 * An org's billing account and the account that pays its charges (its own, or its nearest
 * ancestor's that pays its own way): one query, the payer found by a walk up the tree, or none
 * while cached.
 */
export function billingStateOf(db: Db, org: OrganizationRow): Promise<BillingState> {
  return cachedRead(`billing:${org.id}:${org.billingMode}`, () => queryBillingState(db, org));
}

async function queryBillingState(db: Db, org: OrganizationRow): Promise<BillingState> {
  const payerAccount = alias(billingAccounts, "payer_account");
  const payerOrg = alias(organizations, "payer_org");
  const row = (
    await db
      .select({
        account: billingAccounts,
        payerAccount,
        payer: { id: payerOrg.id, name: payerOrg.name, slug: payerOrg.slug },
      })
      .from(billingAccounts)
      .innerJoin(
        payerAccount,
        eq(
          payerAccount.orgId,
          org.billingMode === "own" ? org.id : sql`(SELECT payer_id FROM (${payersSql([org.id])}))`,
        ),
      )
      .innerJoin(payerOrg, eq(payerOrg.id, payerAccount.orgId))
      .where(eq(billingAccounts.orgId, org.id))
      .limit(1)
  )[0];
  if (!row) throw new AppError("not_found", "This organization has no billing account, or no payer.");
  return { account: row.account, payer: { ...row.payer, account: row.payerAccount } };
}

/** One page of an account's ledger, newest first (the entries whose balance is this org's), with its currency. */
export async function ledgerPage(
  db: Db,
  orgId: string,
  q: { limit: number; cursor?: string },
): Promise<Page<LedgerEntryRow & { currency: string }>> {
  const after = cursorParts(q.cursor, ["number"] as const)?.[0];
  const rows = await db
    .select({ entry: ledgerEntries, currency: billingAccounts.currency })
    .from(ledgerEntries)
    .innerJoin(billingAccounts, eq(billingAccounts.orgId, ledgerEntries.orgId))
    .where(and(eq(ledgerEntries.orgId, orgId), after !== undefined ? lt(ledgerEntries.seq, after) : undefined))
    .orderBy(desc(ledgerEntries.seq))
    .limit(q.limit + 1);
  return paginate(
    rows.map((r) => ({ ...r.entry, currency: r.currency })),
    q.limit,
    (r) => [r.seq],
  );
}
