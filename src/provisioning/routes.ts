import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { ORG_STATUSES, PROVISIONING_STEPS } from "../db/schema";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { requireScope } from "../auth/guards";
import { iso } from "../lib/dates";
import { type ProvisioningRecord, readProvisioning, retryProvisioning } from "./status";

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

function view({ orgId, status, job, steps }: ProvisioningRecord) {
  return {
    org_id: orgId,
    status,
    state: job.state,
    failure_reason: job.failureReason,
    created_at: new Date(job.createdAt).toISOString(),
    completed_at: iso(job.completedAt),
    steps: steps.map((s) => ({
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
    return c.json(view(await readProvisioning(c.var.db, c.var.org.org.id)), 200);
  })
  .openapi(retry, async (c) => {
    requireScope(c, "organizations:manage");
    return c.json(view(await retryProvisioning(c.env, c.var.db, c.var.org.org)), 202);
  });
