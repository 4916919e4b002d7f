import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  billingAccounts,
  knowledgeBases,
  memberships,
  organizations,
  phoneNumbers,
  users,
  type OrganizationRow,
  type ProvisioningStepName,
} from "../db/schema";
import type { Env } from "../env";
import { newId } from "../lib/crypto";
import { formatRoles } from "../auth/scopes";
import { billingFor } from "../adapters/billing";
import { carrierFor } from "../adapters/telephony";
import { syncOrg } from "../billing/sync";

export type StepContext = { env: Env; db: Db; org: OrganizationRow };
type Step = (ctx: StepContext) => Promise<void>;

/** The creator's admin/owner membership (normally written with the org; restored if missing). */
const identity: Step = async ({ db, org }) => {
  if (!org.createdBy) return;
  const roles = formatRoles(org.parentId ? ["admin"] : ["owner"]);
  await db
    .insert(memberships)
    .values({ orgId: org.id, userId: org.createdBy, roles, createdAt: org.createdAt })
    .onConflictDoNothing();
};

/** A customer and a free-plan subscription; the billing e-mail defaults to the creator's. */
const billing: Step = async ({ env, db, org }) => {
  const creator = org.createdBy
    ? (await db.select({ email: users.email }).from(users).where(eq(users.id, org.createdBy)).limit(1))[0]
    : undefined;
  const email = org.billingEmail ?? creator?.email ?? null;
  const provider = billingFor(env, db);
  const customer = await provider.createCustomer({ orgId: org.id, name: org.name, email }, `org:${org.id}:customer`);
  const plan = "free";
  const sub = await provider.createSubscription(
    { orgId: org.id, customerId: customer.id, plan },
    `org:${org.id}:subscription:${plan}`,
  );
  const now = Date.now();
  // The account came with the org (billing/hooks.ts); older orgs got theirs from migration 0009.
  await db.batch([
    db
      .update(billingAccounts)
      // Never over a checkout that completed first: a retried step keeps the paid subscription.
      .set({
        provider: provider.name,
        customerId: sql`coalesce(${billingAccounts.customerId}, ${customer.id})`,
        subscriptionId: sql`coalesce(${billingAccounts.subscriptionId}, ${sub.id})`,
        updatedAt: now,
      })
      .where(eq(billingAccounts.orgId, org.id)),
    db
      .update(organizations)
      .set({ billingEmail: email, updatedAt: now })
      .where(and(eq(organizations.id, org.id), isNull(organizations.billingEmail))),
  ]);
};

/** A default trunk, the concurrency counter at the plan's limit, and a number from the pool. */
const telephony: Step = async ({ env, db, org }) => {
  const carrier = carrierFor(env, db);
  const trunk = await carrier.ensureTrunk(org.id);
  // The counter at the limit of whoever pays for the org, with what it may spend.
  await syncOrg(env, db, org.id);
  const { number } = await carrier.assignNumber(org.id, trunk.id);
  await db
    .insert(phoneNumbers)
    .values({
      id: newId("pn"),
      orgId: org.id,
      number,
      provider: carrier.name,
      trunkId: trunk.id,
      createdAt: Date.now(),
    })
    .onConflictDoNothing();
};

/** The default knowledge-base collection (a partial unique index allows one per org). */
const knowledgeBase: Step = async ({ db, org }) => {
  await db
    .insert(knowledgeBases)
    .values({ id: newId("kb"), orgId: org.id, name: "Default", isDefault: true, createdAt: Date.now() })
    .onConflictDoNothing();
};

export const STEP_RUNNERS: Record<ProvisioningStepName, Step> = {
  identity,
  billing,
  telephony,
  knowledge_base: knowledgeBase,
};
