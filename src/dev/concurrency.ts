import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { newId } from "../lib/crypto";
import { concurrencyOf, leaseMs, setConcurrencyLimit } from "../calls/client";

const setLimit = createRoute({
  method: "post",
  path: "/dev/organizations/{id}/concurrency-limit",
  tags: ["development"],
  summary: "Development only: set an org's concurrency limit (what a plan change does)",
  request: {
    params: z.object({ id: z.string().max(64) }),
    body: jsonBody(z.object({ limit: z.number().int().min(0).max(10_000) })),
  },
  responses: { 200: json(z.object({ org_id: z.string(), limit: z.number().int() })), 404: errorResponses[404] },
});

const status = createRoute({
  method: "get",
  path: "/dev/organizations/{id}/concurrency",
  tags: ["development"],
  summary: "Development only: an org's Durable Object counters, including the peak of concurrent leases ever held",
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: {
    200: json(z.object({ active: z.number(), limit: z.number(), peak: z.number() })),
    404: errorResponses[404],
  },
});

const drive = createRoute({
  method: "post",
  path: "/dev/concurrency/drive",
  tags: ["development"],
  summary: "Development only (benchmark): acquire/release pairs against one org's Durable Object",
  request: {
    body: jsonBody(
      z.object({
        org_id: z.string().max(64),
        pairs: z.number().int().min(1).max(20_000),
        parallel: z.number().int().min(1).max(64),
      }),
    ),
  },
  responses: {
    200: json(
      z.object({
        granted: z.number(),
        refused: z.number(),
        elapsed_ms: z.number(),
        max_held: z.number(),
        peak: z.number(),
        limit: z.number(),
      }),
    ),
    404: errorResponses[404],
  },
});

export const devConcurrencyRoutes = newRouter()
  .openapi(setLimit, async (c) => {
    const { id } = c.req.valid("param");
    const { limit } = c.req.valid("json");
    await setConcurrencyLimit(c.env, c.var.db, id, limit);
    return c.json({ org_id: id, limit }, 200);
  })
  .openapi(status, async (c) => {
    return c.json(await concurrencyOf(c.env, c.req.valid("param").id).getStatus(), 200);
  })
  .openapi(drive, async (c) => {
    const { org_id: orgId, pairs, parallel } = c.req.valid("json");
    const stub = concurrencyOf(c.env, orgId);
    const ttl = leaseMs(c.env);
    let next = 0;
    let granted = 0;
    let refused = 0;
    let held = 0;
    let maxHeld = 0;
    const started = Date.now();
    // Each worker loop holds at most one lease at a time; `held` counts grants not yet released.
    const loop = async () => {
      while (next++ < pairs) {
        const r = await stub.acquire(
          orgId,
          newId("call"),
          { channel: "voice", direction: "outbound", agentId: null },
          ttl,
        );
        if (!r.granted) {
          refused++;
          continue;
        }
        granted++;
        maxHeld = Math.max(maxHeld, ++held);
        await stub.release(r.lease.callId);
        held--;
      }
    };
    await Promise.all(Array.from({ length: parallel }, loop));
    const elapsed = Date.now() - started;
    const s = await stub.getStatus();
    return c.json({ granted, refused, elapsed_ms: elapsed, max_held: maxHeld, peak: s.peak, limit: s.limit }, 200);
  });
