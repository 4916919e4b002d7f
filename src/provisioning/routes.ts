import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { runBatch } from "../db/batch";
import { ORG_STATUSES, organizations, PROVISIONING_STEPS, provisioningJobs, provisioningSteps } from "../db/schema";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { AppError } from "../lib/errors";
import { iso } from "../lib/dates";
import { requireScope } from "../auth/guards";
import { forgetOrg } from "../auth/cache";
import { enqueueProvisioning, outboxStatements } from "./outbox";

const ProvisioningSchema = z
  .object({
    org_id: z.string(),
    status: z.enum(ORG_STATUSES).openapi({ description: "The organization's status" }),
    state: z.enum(["pending", "succeeded", "failed"]),
    failure_reason: z.string().nullable(),
    created_at: z.string(),
    completed_at: z.string().nullable(),
    steps: z.array(
      z.object({
        name: z.enum(PROVISIONING_STEPS),
        status: z.enum(["pending", "running", "succeeded", "failed"]),
        attempts: z.number().int(),
        last_error: z.string().nullable(),
        started_at: z.string().nullable(),
        finished_at: z.string().nullable(),
      }),
    ),
  })
  .openapi("Provisioning");

/** Read from D1, not the org cache: this is where clients poll for `active`. */
async function provisioningView(db: Db, orgId: string) {
  const [orgRows, jobRows, stepRows] = await db.batch([
    db.select({ status: organizations.status }).from(organizations).where(eq(organizations.id, orgId)),
    db.select().from(provisioningJobs).where(eq(provisioningJobs.orgId, orgId)),
    db
      .select()
      .from(provisioningSteps)
      .where(eq(provisioningSteps.orgId, orgId))
      .orderBy(asc(provisioningSteps.position)),
  ]);
  const org = orgRows[0];
  const job = jobRows[0];
  if (!org || !job) return null;
  return {
    org_id: orgId,
    status: org.status,
    state: job.state,
    failure_reason: job.failureReason,
    created_at: new Date(job.createdAt).toISOString(),
    completed_at: iso(job.completedAt),
    steps: stepRows.map((s) => ({
      name: s.step,
      status: s.status,
      attempts: s.attempts,
      last_error: s.lastError,
      started_at: iso(s.startedAt),
      finished_at: iso(s.finishedAt),
    })),
  };
}

const get = createRoute({
  method: "get",
  path: "/admin/organization/provisioning",
  ...orgScoped,
  tags: ["organizations"],
  summary: "Provisioning progress: each step's status, attempts and last error",
  security: authed,
  responses: { 200: json(ProvisioningSchema), ...errorResponses },
});

const retry = createRoute({
  method: "post",
  path: "/admin/organization/provisioning/retry",
  ...orgScoped,
  tags: ["organizations"],
  summary: "Re-drive provisioning of a failed or stuck organization (steps already done are skipped)",
  security: authed,
  responses: { 202: json(ProvisioningSchema, "Re-queued"), 409: errorResponses[400], ...errorResponses },
});

export const provisioningRoutes = newRouter()
  .openapi(get, async (c) => {
    requireScope(c, "organizations:read");
    const view = await provisioningView(c.var.db, c.var.org.org.id);
    if (!view) throw new AppError("not_found", "This organization has no provisioning record.");
    return c.json(view, 200);
  })
  .openapi(retry, async (c) => {
    requireScope(c, "organizations:manage");
    const db = c.var.db;
    const org = c.var.org.org;
    const job = (
      await db
        .select({ state: provisioningJobs.state })
        .from(provisioningJobs)
        .where(eq(provisioningJobs.orgId, org.id))
    )[0];
    if (job?.state === "succeeded") throw new AppError("conflict", "The organization is already provisioned.");
    const now = Date.now();
    const stmts: BatchItem<"sqlite">[] = [
      ...outboxStatements(db, org),
      db
        .update(provisioningSteps)
        .set({ status: "pending", updatedAt: now })
        .where(and(eq(provisioningSteps.orgId, org.id), inArray(provisioningSteps.status, ["failed", "running"]))),
      db
        .update(provisioningJobs)
        .set({ state: "pending", failureReason: null, ackedAt: null, updatedAt: now })
        .where(eq(provisioningJobs.orgId, org.id)),
      db
        .update(organizations)
        .set({ status: "provisioning", updatedAt: now })
        .where(and(eq(organizations.id, org.id), eq(organizations.status, "provisioning_failed"))),
    ];
    await runBatch(db, stmts);
    forgetOrg(org);
    await enqueueProvisioning(c.env, [org.id]);
    const view = await provisioningView(db, org.id);
    if (!view) throw new AppError("not_found", "This organization has no provisioning record.");
    return c.json(view, 202);
  });
