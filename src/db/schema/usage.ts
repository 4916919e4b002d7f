import { sqliteTable, text, integer, primaryKey } from "drizzle-orm/sqlite-core";

export const callRecords = sqliteTable("call_records", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  channel: text("channel", { enum: ["voice", "chat"] }).notNull(),
  direction: text("direction", { enum: ["inbound", "outbound"] }).notNull(),
  agentId: text("agent_id"),
  startedAt: integer("started_at").notNull(),
  endedAt: integer("ended_at").notNull(),
  durationMs: integer("duration_ms").notNull(),
  endReason: text("end_reason").notNull(),
});

export const usageEvents = sqliteTable(
  "usage_events",
  {
    orgId: text("org_id").notNull(),
    eventKey: text("event_key").notNull(),
    kind: text("kind", { enum: ["voice", "chat", "workflow_run"] }).notNull(),
    direction: text("direction", { enum: ["inbound", "outbound"] }),
    outcome: text("outcome", { enum: ["success", "failed"] }),
    durationMs: integer("duration_ms").notNull().default(0),
    occurredAt: integer("occurred_at").notNull(),
    day: text("day").notNull(),
    rolledUp: integer("rolled_up").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.eventKey] })],
);

export const usageDaily = sqliteTable(
  "usage_daily",
  {
    orgId: text("org_id").notNull(),
    day: text("day").notNull(),
    voiceCalls: integer("voice_calls").notNull().default(0),
    voiceMs: integer("voice_ms").notNull().default(0),
    chatCalls: integer("chat_calls").notNull().default(0),
    chatMs: integer("chat_ms").notNull().default(0),
    inboundCalls: integer("inbound_calls").notNull().default(0),
    outboundCalls: integer("outbound_calls").notNull().default(0),
    workflowRunsTotal: integer("workflow_runs_total").notNull().default(0),
    workflowRunsSuccess: integer("workflow_runs_success").notNull().default(0),
    workflowRunsFailed: integer("workflow_runs_failed").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day] })],
);

export type CallRecordRow = typeof callRecords.$inferSelect;
export type UsageEventRow = typeof usageEvents.$inferInsert;
export type UsageDailyRow = typeof usageDaily.$inferSelect;
