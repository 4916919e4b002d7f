import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { organizations } from "./organizations";

/** A custom domain's verification state; migration 0010's CHECK lists the same values. */
export const DOMAIN_STATUSES = ["pending", "active", "failed"] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/**
 * One row per org that claimed a domain (migration 0010). `organizations.domain` (UNIQUE) and
 * `domain_setup_status` mirror `domain` and `status`, written in the same batch.
 */
export const orgDomains = sqliteTable("org_domains", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  domain: text("domain").notNull().unique(),
  status: text("status", { enum: DOMAIN_STATUSES }).notNull().default("pending"),
  token: text("token").notNull(),
  txtName: text("txt_name").notNull(),
  txtValue: text("txt_value").notNull(),
  providerRef: text("provider_ref"),
  reason: text("reason"),
  attempts: integer("attempts").notNull().default(0),
  pendingSince: integer("pending_since"),
  checkedAt: integer("checked_at"),
  nextCheckAt: integer("next_check_at").notNull(),
  activatedAt: integer("activated_at"),
  createdAt: integer("created_at").notNull(),
});
export type OrgDomainRow = typeof orgDomains.$inferSelect;

/** Branding an org sets for itself; a null field is inherited from the nearest ancestor that sets it. */
export const orgBranding = sqliteTable("org_branding", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  displayName: text("display_name"),
  logoUrl: text("logo_url"),
  iconUrl: text("icon_url"),
  primaryColor: text("primary_color"),
  accentColor: text("accent_color"),
  supportEmail: text("support_email"),
  hideProductName: integer("hide_product_name", { mode: "boolean" }),
  updatedAt: integer("updated_at").notNull(),
});
export type OrgBrandingRow = typeof orgBranding.$inferSelect;

/** What the local resolver answers (DOMAIN_PROVIDER=local; POST /dev/dns in development). */
export const devDnsRecords = sqliteTable(
  "dev_dns_records",
  {
    type: text("type").notNull(),
    name: text("name").notNull(),
    value: text("value").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.type, t.name] })],
);
