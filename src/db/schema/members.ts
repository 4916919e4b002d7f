import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

export const INVITABLE_ROLES = ["admin", "member", "viewer"] as const;
export type InvitableRole = (typeof INVITABLE_ROLES)[number];

export const invitations = sqliteTable("invitations", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  email: text("email").notNull(),
  role: text("role", { enum: INVITABLE_ROLES }).notNull(),
  /** Stored status; a pending row past `expiresAt` reads as "expired". */
  status: text("status", { enum: ["pending", "accepted", "declined", "revoked"] }).notNull(),
  validDays: integer("valid_days").notNull(),
  sendCount: integer("send_count").notNull(),
  invitedBy: text("invited_by"),
  expiresAt: integer("expires_at").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  respondedAt: integer("responded_at"),
});

export type InvitationRow = typeof invitations.$inferSelect;

export const auditLog = sqliteTable("audit_log", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  actorUserId: text("actor_user_id"),
  credentialId: text("credential_id"),
  credentialKind: text("credential_kind", { enum: ["session", "pat", "api_key", "system"] }).notNull(),
  action: text("action").notNull(),
  targetType: text("target_type").notNull(),
  targetId: text("target_id"),
  before: text("before", { mode: "json" }).$type<unknown>(),
  after: text("after", { mode: "json" }).$type<unknown>(),
  requestId: text("request_id"),
  createdAt: integer("created_at").notNull(),
});

export type AuditRow = typeof auditLog.$inferSelect;
