import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

export const personalTokens = sqliteTable("personal_tokens", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  tokenHint: text("token_hint").notNull(),
  scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
  expiresAt: integer("expires_at"),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
  createdAt: integer("created_at").notNull(),
});

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  tokenHint: text("token_hint").notNull(),
  scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
  createdBy: text("created_by"),
  /** True while the key acts with at most its creator's current power in the org. */
  boundToCreator: integer("bound_to_creator", { mode: "boolean" }).notNull().default(false),
  /** The owner who let the key outlive its creator, and when. */
  keptBy: text("kept_by"),
  keptAt: integer("kept_at"),
  expiresAt: integer("expires_at"),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
  createdAt: integer("created_at").notNull(),
});

export const SECURITY_ACTIONS = [
  "personal_token.created",
  "personal_token.revoked",
  "session.created",
  "session.revoked",
] as const;
export type SecurityAction = (typeof SECURITY_ACTIONS)[number];

/** A user's own credential history (migration 0006). */
export const securityLog = sqliteTable("security_log", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  action: text("action", { enum: SECURITY_ACTIONS }).notNull(),
  targetId: text("target_id").notNull(),
  actorKind: text("actor_kind", { enum: ["session", "pat", "sign_in", "system"] }).notNull(),
  actorCredentialId: text("actor_credential_id"),
  requestId: text("request_id"),
  ip: text("ip"),
  userAgent: text("user_agent"),
  details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
  createdAt: integer("created_at").notNull(),
});
export type SecurityLogRow = typeof securityLog.$inferSelect;
