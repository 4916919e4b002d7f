import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { billingAccounts, billingEvents, ledgerEntries } from "../db/schema";
import { DAY_MS } from "../lib/dates";
import type { OrgHooks } from "../orgs/lifecycle";
import { bookingStatement } from "./ledger";
import { FREE_TRIAL } from "./plans";

/**
 * Billing's part in an org's life. With the org comes its billing account on the free plan
 * (trialing) and — when it pays its own way — the trial credit, so it can place calls at
 * once; provisioning adds the provider's customer and subscription. A deleted org's account
 * and ledger go with it (its charges booked to an agency stay in the agency's ledger).
 */
export const billingHooks: OrgHooks = {
  creationStatements: (db, org) => {
    const paysOwnWay = org.billingMode === "own";
    return [
      db.insert(billingAccounts).values({
        orgId: org.id,
        provider: "pending",
        plan: "free",
        status: "trialing",
        trialEndsAt: paysOwnWay ? org.createdAt + FREE_TRIAL.days * DAY_MS : null,
        createdAt: org.createdAt,
        updatedAt: org.createdAt,
      }),
      ...(paysOwnWay && FREE_TRIAL.creditCents > 0
        ? [
            bookingStatement(db, {
              orgId: org.id,
              kind: "trial_credit",
              amountCents: FREE_TRIAL.creditCents,
              reference: `trial:${org.id}`,
              description: `Free trial credit (${FREE_TRIAL.days} days)`,
              at: org.createdAt,
            }),
          ]
        : []),
    ];
  },
  deletionStatements: (db: Db, orgId: string) => [
    db.delete(ledgerEntries).where(eq(ledgerEntries.orgId, orgId)),
    db.delete(billingEvents).where(eq(billingEvents.orgId, orgId)),
    db.delete(billingAccounts).where(eq(billingAccounts.orgId, orgId)),
  ],
};
