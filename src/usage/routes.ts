import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { requireScope } from "../auth/guards";
import type { UsageMessage } from "./messages";
import { EVENT_MAX_AGE_DAYS, EVENT_MAX_AHEAD_MINUTES, EVENT_WINDOW_TEXT, reportedEvents } from "./events";
import { inventoryOf, summarize } from "./summary";
import { usageStoreOf } from "./store";
import { resolveWindow } from "./window";
import { DailyFiguresSchema, FiguresSchema, InventorySchema } from "./schemas";
import { iso } from "../lib/dates";

const EventKey = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .openapi({ description: "Idempotency key: an event with a key already seen is ignored" });
const OccurredAt = z.iso
  .datetime({ offset: true })
  .optional()
  .openapi({
    description: `ISO 8601; default now. At most ${EVENT_MAX_AGE_DAYS} days ago and ${EVENT_MAX_AHEAD_MINUTES} minutes ahead`,
  });

const EventSchema = z.discriminatedUnion("kind", [
  z
    .object({
      key: EventKey,
      kind: z.literal("chat"),
      occurred_at: OccurredAt,
      duration_seconds: z.number().min(0).max(86_400),
      direction: z.enum(["inbound", "outbound"]).default("inbound"),
    })
    .strict(),
  z
    .object({
      key: EventKey,
      kind: z.literal("workflow_run"),
      occurred_at: OccurredAt,
      outcome: z.enum(["success", "failed"]),
    })
    .strict(),
]);

const EventsBody = z
  .object({ events: z.array(EventSchema).min(1).max(100, "at most 100 events per request") })
  .strict();

const SummarySchema = z
  .object({
    from: z.string(),
    to: z.string(),
    ...FiguresSchema.shape,
    daily: z.array(DailyFiguresSchema),
    inventory: InventorySchema,
  })
  .openapi("UsageSummary");

const report = createRoute({
  method: "post",
  path: "/admin/usage/events",
  ...orgScoped,
  tags: ["usage"],
  summary: "Report up to 100 usage events (chat sessions, workflow runs); idempotent by key",
  description:
    `All or nothing: ${EVENT_WINDOW_TEXT}; an event outside that window refuses the request ` +
    "(400 validation_failed naming events.N.occurred_at) and nothing is counted.",
  security: authed,
  request: { body: jsonBody(EventsBody) },
  responses: { 202: json(z.object({ accepted: z.number().int() }), "Queued for metering"), ...errorResponses },
});

const summary = createRoute({
  method: "get",
  path: "/admin/usage/summary",
  ...orgScoped,
  tags: ["usage"],
  summary: "Usage over a window (default month-to-date, UTC) with a daily breakdown and inventory counts",
  description:
    "Read from daily rollups fed by the usage queue, so it trails calls and events by a few seconds. " +
    "`to` is exclusive and must be after `from`, at most 366 days later. Inventory counts ignore the window.",
  security: authed,
  request: { query: z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }) },
  responses: { 200: json(SummarySchema), ...errorResponses },
});

export const usageRoutes = newRouter()
  .openapi(report, async (c) => {
    requireScope(c, "conversations:manage");
    const events = reportedEvents(c.req.valid("json").events);
    const msg: UsageMessage = { type: "events", orgId: c.var.org.org.id, events };
    await c.env.USAGE_QUEUE.send(msg, { contentType: "json" });
    return c.json({ accepted: events.length }, 202);
  })
  .openapi(summary, async (c) => {
    requireScope(c, "billing:manage");
    const w = resolveWindow(c.req.valid("query"));
    const orgIds = [c.var.org.org.id];
    const [rows, inventory] = await Promise.all([
      usageStoreOf(c.env, c.var.db).daily(orgIds, w.fromDay, w.toDay),
      inventoryOf(c.var.db, orgIds),
    ]);
    const { totals, daily } = summarize(rows, w);
    return c.json({ from: iso(w.from), to: iso(w.to), ...totals, daily, inventory }, 200);
  });
