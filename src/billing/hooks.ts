import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { billingAccounts, billingEvents, ledgerEntries } from "../db/schema";
import { DAY_MS } from "../lib/dates";
import type { OrgHooks } from "../orgs/lifecycle";
import { bookingStatement } from "./ledger";
import type { BillingMessage } from "./messages";
import { FREE_TRIAL } from "./plans";

/**
 * Billing's part in an org's life. With the org comes its billing account on the free plan
 * (trialing) and — when it pays its own way — the trial credit, so it can place calls at
 * once; provisioning adds the provider's customer and subscription. A deleted org's account
 * and ledger go with it (its charges booked to an agency stay in the agency's ledger), and
 * its subscriptions are canceled at the provider through the billing queue.
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
  // The account row (and with it the subscription id) is gone by now, and OrgHooks has no
  // step before the batch. The message names only the org: the consumer asks the provider
  // for every live subscription made for it (each carries `org_id` metadata). That is also
  // more complete than the one id the account held: a subscription it superseded (the free
  // plan's from provisioning) is canceled too. The queue retries a failing provider.
  afterDeletion: async (env, org) => {
    await env.BILLING_QUEUE.send({ type: "cancel_subscription", orgId: org.id } satisfies BillingMessage);
  },
};
