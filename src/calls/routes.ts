import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { AppError } from "../lib/errors";
import { requireScope } from "../auth/guards";
import { newId } from "../lib/crypto";
import { iso } from "../lib/dates";
import { findAgent } from "../resources/agents-service";
import { refuseIfSuspended } from "../orgs/suspension";
import { concurrencyOf, leaseMs } from "./client";
import type { Lease } from "./concurrency-object";

const CallId = z.object({ id: z.string().regex(/^call_[a-z0-9]{1,40}$/, "a call id (call_…)") });

function callView(l: Lease, ttlMs: number) {
  return {
    id: l.callId,
    status: "active" as const,
    channel: l.channel,
    direction: l.direction,
    agent_id: l.agentId,
    started_at: iso(l.startedAt),
    lease_expires_at: iso(l.expiresAt),
    // A third of the lease: two heartbeats may be lost before the lease expires.
    heartbeat_interval_seconds: Math.max(1, Math.floor(ttlMs / 3000)),
  };
}

const StartBody = z
  .object({
    channel: z.enum(["voice", "chat"]),
    direction: z.enum(["inbound", "outbound"]),
    agent_id: z.string().min(1).max(64).optional(),
  })
  .strict();

const CallSchema = z
  .object({
    id: z.string(),
    status: z.literal("active"),
    channel: z.enum(["voice", "chat"]),
    direction: z.enum(["inbound", "outbound"]),
    agent_id: z.string().nullable(),
    started_at: z.string(),
    lease_expires_at: z.string(),
    heartbeat_interval_seconds: z.number().int(),
  })
  .openapi("Call");

const EndedSchema = z
  .object({
    id: z.string(),
    status: z.literal("ended"),
    started_at: z.string(),
    ended_at: z.string(),
    duration_seconds: z.number(),
    end_reason: z.enum(["completed", "lease_expired"]),
  })
  .openapi("EndedCall");

const ConcurrencySchema = z.object({ active: z.number().int(), limit: z.number().int() }).openapi("Concurrency");
const limited = { description: "Concurrency limit reached (see Retry-After)", content: errorResponses[400].content };

const start = createRoute({
  method: "post",
  path: "/admin/calls",
  ...orgScoped,
  tags: ["calls"],
  summary: "Start a call: takes a concurrency slot (lease) or answers 429 with Retry-After",
  description:
    "Heartbeat before `lease_expires_at`; a lease without heartbeats is reclaimed and the call recorded as ended.",
  security: authed,
  request: { body: jsonBody(StartBody) },
  responses: {
    201: json(CallSchema, "Started"),
    402: {
      description: "The payer's balance is used up, or the free trial ended",
      content: errorResponses[400].content,
    },
    429: limited,
    ...errorResponses,
  },
});

const heartbeat = createRoute({
  method: "post",
  path: "/admin/calls/{id}/heartbeat",
  ...orgScoped,
  tags: ["calls"],
  summary: "Extend a running call's lease",
  security: authed,
  request: { params: CallId },
  responses: { 200: json(CallSchema), 409: errorResponses[400], ...errorResponses },
});

const end = createRoute({
  method: "post",
  path: "/admin/calls/{id}/end",
  ...orgScoped,
  tags: ["calls"],
  summary: "End a call: frees its slot and records its usage (visible in the summary within seconds)",
  security: authed,
  request: { params: CallId },
  responses: { 200: json(EndedSchema), ...errorResponses },
});

const status = createRoute({
  method: "get",
  path: "/admin/concurrency",
  ...orgScoped,
  tags: ["calls"],
  summary: "Calls running now and the organization's limit",
  security: authed,
  responses: { 200: json(ConcurrencySchema), ...errorResponses },
});

/** The hot path: the cached credential and the org's Durable Object, never a D1 write. */
export const callRoutes = newRouter()
  .openapi(start, async (c) => {
    requireScope(c, "conversations:dial");
    refuseIfSuspended(c.var.org.org, "start calls");
    const body = c.req.valid("json");
    const orgId = c.var.org.org.id;
    if (body.agent_id && !(await findAgent(c.var.db, orgId, body.agent_id)))
      throw new AppError("not_found", "Agent not found.");
    const ttl = leaseMs(c.env);
    const meta = { channel: body.channel, direction: body.direction, agentId: body.agent_id ?? null };
    const r = await concurrencyOf(c.env, orgId).acquire(orgId, newId("call"), meta, ttl);
    if (!r.granted && r.reason === "insufficient_balance") {
      throw new AppError("insufficient_balance", "The balance that pays for this organization is used up; top it up.");
    }
    if (!r.granted && r.reason === "trial_ended") {
      throw new AppError("trial_ended", "The free trial has ended; choose a plan to keep placing calls.");
    }
    if (!r.granted) {
      throw new AppError(
        "concurrency_limit_reached",
        `The organization already runs ${r.active} of ${r.limit} concurrent calls.`,
        { retryAfterSeconds: r.retryAfterSeconds },
      );
    }
    return c.json(callView(r.lease, ttl), 201);
  })
  .openapi(heartbeat, async (c) => {
    requireScope(c, "conversations:dial");
    const ttl = leaseMs(c.env);
    const r = await concurrencyOf(c.env, c.var.org.org.id).heartbeat(c.req.valid("param").id, ttl);
    if (!r.ok) {
      if (r.reason === "expired") throw new AppError("lease_expired", "The call's lease expired; start a new call.");
      throw new AppError("not_found", "Call not found or already ended.");
    }
    return c.json(callView(r.lease, ttl), 200);
  })
  .openapi(end, async (c) => {
    requireScope(c, "conversations:dial");
    const ended = await concurrencyOf(c.env, c.var.org.org.id).release(c.req.valid("param").id);
    if (!ended) throw new AppError("not_found", "Call not found or already ended.");
    return c.json(
      {
        id: ended.id,
        status: "ended" as const,
        started_at: iso(ended.startedAt),
        ended_at: iso(ended.endedAt),
        duration_seconds: Math.round((ended.endedAt - ended.startedAt) / 10) / 100,
        end_reason: ended.endReason,
      },
      200,
    );
  })
  .openapi(status, async (c) => {
    requireScope(c, "conversations:read");
    const s = await concurrencyOf(c.env, c.var.org.org.id).getStatus();
    return c.json({ active: s.active, limit: s.limit }, 200);
  });
