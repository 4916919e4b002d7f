import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

export const PLAN_IDS = ["free", "smb", "agency", "enterprise"] as const;
export type PlanId = (typeof PLAN_IDS)[number];
export const SUBSCRIPTION_STATUSES = ["trialing", "active", "past_due", "canceled"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export const LEDGER_KINDS = ["trial_credit", "top_up", "usage_charge", "adjustment", "refund"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** One per organization, created with it (migration 0009); the provider's ids come with provisioning. */
export const billingAccounts = sqliteTable("billing_accounts", {
  orgId: text("org_id").primaryKey(),
  provider: text("provider").notNull(),
  customerId: text("customer_id"),
  subscriptionId: text("subscription_id"),
  /** The org's own plan (what it would pay for itself). */
  plan: text("plan", { enum: PLAN_IDS }).notNull().default("free"),
  status: text("status", { enum: SUBSCRIPTION_STATUSES }).notNull().default("trialing"),
  trialEndsAt: integer("trial_ends_at"),
  cancelAtPeriodEnd: integer("cancel_at_period_end", { mode: "boolean" }).notNull().default(false),
  currentPeriodEnd: integer("current_period_end"),
  /** `created` (epoch s) of the provider event whose state this is: older events never apply. */
  subscriptionVersion: integer("subscription_version").notNull().default(0),
  /** The sum of the account's ledger entries, kept by a trigger of migration 0009. */
  balanceCents: integer("balance_cents").notNull().default(0),
  ledgerVersion: integer("ledger_version").notNull().default(0),
  currency: text("currency").notNull().default("usd"),
  /** Enterprise: the operator's concurrency limit. */
  concurrencyOverride: integer("concurrency_override"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type BillingAccountRow = typeof billingAccounts.$inferSelect;

/** Append-only: the trigger books each insert into the account's balance; updates of money are refused. */
export const ledgerEntries = sqliteTable("ledger_entries", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  id: text("id").notNull().unique(),
  orgId: text("org_id").notNull(),
  kind: text("kind", { enum: LEDGER_KINDS }).notNull(),
  amountCents: integer("amount_cents").notNull(),
  balanceAfterCents: integer("balance_after_cents"),
  /** What the entry books; unique, so booking the same thing twice books it once. */
  reference: text("reference").notNull().unique(),
  sourceOrgId: text("source_org_id"),
  usageEventKey: text("usage_event_key"),
  description: text("description").notNull(),
  createdAt: integer("created_at").notNull(),
});
export type LedgerEntryRow = typeof ledgerEntries.$inferSelect;

/** Provider events already applied (each once, in the batch of its effect). */
export const billingEvents = sqliteTable("billing_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  orgId: text("org_id"),
  created: integer("created").notNull(),
  appliedAt: integer("applied_at").notNull(),
});

/** The local billing provider's objects. The idempotency key plays Stripe's role. */
export const localBillingObjects = sqliteTable("local_billing_objects", {
  idempotencyKey: text("idempotency_key").primaryKey(),
  id: text("id").notNull().unique(),
  kind: text("kind", { enum: ["customer", "subscription", "checkout_session", "portal_session"] }).notNull(),
  data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer("created_at").notNull(),
});
