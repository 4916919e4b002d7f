import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

export const emailDeliveries = sqliteTable("email_deliveries", {
  messageKey: text("message_key").primaryKey(),
  recipient: text("recipient").notNull(),
  subject: text("subject").notNull(),
  body: text("body").notNull(),
  provider: text("provider").notNull(),
  sentAt: integer("sent_at").notNull(),
});
