import { createRoute, z } from "@hono/zod-openapi";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { isDescendantOfSql } from "../db/tree";
import { readInOneTrip } from "../db/one-trip";
import { orgNotFound, partnerRoot } from "./subtree";
import { rollupsSql, summarize, type UsageRollup } from "./usage";

const MAX_WINDOW_DAYS = 366;
const DAY_MS = 86_400_000;

// A calendar date or a date-time (offset optional: UTC when absent), as ISO 8601 writes them.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
/** Date.parse rolls 2026-02-30 over to March: the calendar date itself must exist. */
function isRealDate(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
const IsoInstant = z
  .string()
  .refine((s) => ISO_8601.test(s) && isRealDate(s) && !Number.isNaN(Date.parse(s)), "Must be an ISO 8601 date or date-time")
  .openapi({ example: "2026-11-01T00:00:00Z" });

/** A date-time without an offset is read as UTC, not as the runtime's local time. */
const toDate = (s: string) => new Date(Date.parse(s.includes("T") && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s}Z` : s));

export const UsageSummaryQuery = z
  .object({
    from: IsoInstant.openapi({ description: "Start of the window (ISO 8601, inclusive)" }),
    to: IsoInstant.openapi({ description: "End of the window (ISO 8601, exclusive); after `from`, at most 366 days later" }),
    scope: z.enum(["all", "single"]).default("all").openapi({ description: "`all`: your org and every descendant; `single`: `org_id`'s own usage" }),
    org_id: z.string().max(64).optional().openapi({ description: "Required with scope=single; must be in your subtree" }),
  })
  .superRefine((v, ctx) => {
    if (v.scope === "single" && !v.org_id) ctx.addIssue({ code: "custom", path: ["org_id"], message: "org_id is required when scope=single" });
    if (!ISO_8601.test(v.from) || !ISO_8601.test(v.to)) return;
    const span = toDate(v.to).getTime() - toDate(v.from).getTime();
    if (span <= 0) ctx.addIssue({ code: "custom", path: ["to"], message: "to must be after from" });
    else if (span > MAX_WINDOW_DAYS * DAY_MS) ctx.addIssue({ code: "custom", path: ["to"], message: "The window cannot exceed 366 days" });
  });

const Totals = z.object({
  voice_calls: z.number().int(),
  voice_minutes: z.number(),
  chat_calls: z.number().int(),
  chat_minutes: z.number(),
  total_calls: z.number().int(),
  inbound_calls: z.number().int(),
  outbound_calls: z.number().int(),
  average_duration_seconds: z.number(),
});

export const UsageSummarySchema = z
  .object({
    scope: z.enum(["all", "single"]),
    org_id: z.string().openapi({ description: "Your org (scope=all) or the selected org (scope=single)" }),
    from: z.string(),
    to: z.string(),
    totals: Totals,
    daily: z.array(Totals.extend({ day: z.string() })).openapi({ description: "UTC days with usage; every day the window touches counts whole" }),
  })
  .openapi("PartnerUsageSummary");

const usageSummary = createRoute({
  method: "get",
  path: "/admin/partner-console/usage-summary",
  tags: ["partner console"],
  summary: "Usage of your whole subtree (scope=all) or of one org of it alone (scope=single)",
  security: authed,
  request: { query: UsageSummaryQuery },
  responses: { 200: json(UsageSummarySchema), ...errorResponses },
});

export const partnerUsageRoutes = newRouter().openapi(usageSummary, async (c) => {
  const q = c.req.valid("query");
  const from = toDate(q.from);
  const to = toDate(q.to);
  const root = partnerRoot(c);
  const db = c.var.db;
  const window = { scope: q.scope, from: from.toISOString(), to: to.toISOString() };
  if (q.scope === "single" && q.org_id) {
    // The subtree check and the read in one round trip; the rows are dropped unless it passes.
    const [inTree, rows] = await readInOneTrip<{ hit: number }, UsageRollup>(db, isDescendantOfSql(root, q.org_id), rollupsSql("own", q.org_id, from, to));
    if (inTree.length === 0) throw orgNotFound();
    return c.json({ ...window, org_id: q.org_id, ...summarize(rows) }, 200);
  }
  // scope=all is always rooted at the caller's own org, read from the credential.
  const rows = await db.all<UsageRollup>(rollupsSql("subtree", root, from, to));
  return c.json({ ...window, org_id: root, ...summarize(rows) }, 200);
});
