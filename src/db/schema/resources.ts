import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/** Org-owned resources: every row belongs to exactly one organization. */
export const agents = sqliteTable("agents", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  name: text("name").notNull(),
  description: text("description"),
  channel: text("channel", { enum: ["voice", "chat"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const knowledgeBases = sqliteTable("knowledge_bases", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  name: text("name").notNull(),
  isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
});

export const phoneNumbers = sqliteTable("phone_numbers", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  number: text("number").notNull().unique(),
  provider: text("provider").notNull(),
  trunkId: text("trunk_id"),
  createdAt: integer("created_at").notNull(),
});

export const webWidgets = sqliteTable("web_widgets", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export type AgentRow = typeof agents.$inferSelect;
export type KnowledgeBaseRow = typeof knowledgeBases.$inferSelect;
export type PhoneNumberRow = typeof phoneNumbers.$inferSelect;
