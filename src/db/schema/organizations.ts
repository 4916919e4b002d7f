import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/** An organization's lifecycle; migration 0001's CHECK constraint lists the same values. */
export const ORG_STATUSES = ["provisioning", "active", "suspended", "provisioning_failed"] as const;

export const organizations = sqliteTable("organizations", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  parentId: text("parent_id"),
  status: text("status", { enum: ORG_STATUSES }).notNull().default("provisioning"),
  avatarUrl: text("avatar_url"),
  billingEmail: text("billing_email"),
  billingAddress: text("billing_address", { mode: "json" }).$type<BillingAddress | null>(),
  phoneNumbers: text("phone_numbers", { mode: "json" }).$type<string[]>().notNull(),
  /**
   * Mirrors of what billing decides (src/billing/sync.ts): the plan in force — the payer's,
   * for a child billed to its parent — and the concurrency limit the org's Durable Object holds.
   */
  plan: text("plan").notNull().default("free"),
  concurrencyLimit: integer("concurrency_limit").notNull().default(1),
  /** `own`: its balance pays its charges; `parent`: its nearest ancestor paying its own way does. */
  billingMode: text("billing_mode", { enum: ["own", "parent"] })
    .notNull()
    .default("own"),
  /** A partner's cap below the payer's plan limit (null: the plan's limit). */
  concurrencyCap: integer("concurrency_cap"),
  domain: text("domain"),
  domainSetupStatus: text("domain_setup_status").notNull().default("none"),
  createdBy: text("created_by"),
  /**
   * The owner: exactly one of these is set (a CHECK of migration 0007). A user (one of its
   * members, whose membership triggers keep holding the `owner` role) or, for a child created
   * through the partner console, its parent organization until a partner hands it over.
   */
  ownerUserId: text("owner_user_id"),
  ownerOrgId: text("owner_org_id"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type BillingAddress = {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  postal_code?: string;
  country?: string;
};

export const orgSlugHistory = sqliteTable("org_slug_history", {
  slug: text("slug").primaryKey(),
  orgId: text("org_id").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

export type OrganizationRow = typeof organizations.$inferSelect;
