import { sqliteTable, text, integer, primaryKey } from "drizzle-orm/sqlite-core";

export const PROVISIONING_STEPS = ["identity", "billing", "telephony", "knowledge_base"] as const;
export type ProvisioningStepName = (typeof PROVISIONING_STEPS)[number];
export type StepStatus = "pending" | "running" | "succeeded" | "failed";

/** The provisioning outbox: one row per org, written in the org-creation batch. */
export const provisioningJobs = sqliteTable("provisioning_jobs", {
  orgId: text("org_id").primaryKey(),
  state: text("state", { enum: ["pending", "succeeded", "failed"] }).notNull(),
  failureReason: text("failure_reason"),
  sends: integer("sends").notNull().default(0),
  enqueuedAt: integer("enqueued_at"),
  ackedAt: integer("acked_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  completedAt: integer("completed_at"),
});

export const provisioningSteps = sqliteTable(
  "provisioning_steps",
  {
    orgId: text("org_id").notNull(),
    step: text("step", { enum: PROVISIONING_STEPS }).notNull(),
    position: integer("position").notNull(),
    status: text("status", { enum: ["pending", "running", "succeeded", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.step] })],
);

export const faultInjections = sqliteTable(
  "fault_injections",
  {
    step: text("step").notNull(),
    orgRef: text("org_ref").notNull(),
    remaining: integer("remaining").notNull(),
    message: text("message").notNull(),
  },
  (t) => [primaryKey({ columns: [t.step, t.orgRef] })],
);

export const telephonyTrunks = sqliteTable("telephony_trunks", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull().unique(),
  provider: text("provider").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const phoneNumberPool = sqliteTable("phone_number_pool", {
  number: text("number").primaryKey(),
  orgId: text("org_id"),
  assignedAt: integer("assigned_at"),
});

export type ProvisioningJobRow = typeof provisioningJobs.$inferSelect;
export type ProvisioningStepRow = typeof provisioningSteps.$inferSelect;
