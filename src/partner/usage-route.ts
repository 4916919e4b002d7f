import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import type { UsageDailyRow } from "../db/schema";
import { readInOneTrip } from "../db/one-trip";
import { DailyFiguresSchema, FiguresSchema } from "../usage/schemas";
import { summarize } from "../usage/summary";
import { usageStoreOf } from "../usage/store";
import { resolveWindow } from "../usage/window";
import { iso, parseInstant } from "../lib/dates";
import { orgNotFound, partnerRoot } from "./subtree";
import { inSubtreeWithChargesSql, rollupsSql } from "./usage";

// Format and calendar here, with the parser resolveWindow (usage/window.ts) applies to
// /admin/usage/summary; order and the 366-day limit there. Unlike that route, the window is required.
const Instant = (description: string) =>
  z
    .string()
    .max(40)
    .refine((s) => parseInstant(s) !== undefined, "Must be an ISO 8601 date or date-time")
    .openapi({ description, example: "2026-11-01T00:00:00Z" });

export const UsageSummaryQuery = z
  .object({
    from: Instant("Start of the window (ISO 8601, inclusive; UTC unless an offset is given)"),
    to: Instant("End of the window (ISO 8601, exclusive): after `from`, at most 366 days later"),
    scope: z
      .enum(["all", "single"])
      .default("all")
      .openapi({ description: "`all`: your org and every descendant; `single`: `org_id`'s own usage" }),
    org_id: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "Required with scope=single; must be in your subtree" }),
  })
  .superRefine((v, ctx) => {
    if (v.scope === "single" && !v.org_id)
      ctx.addIssue({ code: "custom", path: ["org_id"], message: "org_id is required when scope=single" });
  });

export const PartnerUsageSchema = z
  .object({
    scope: z.enum(["all", "single"]),
    org_id: z.string().openapi({ description: "Your org (scope=all) or the selected org (scope=single)" }),
    from: z.string(),
    to: z.string(),
    ...FiguresSchema.shape,
    charges_cents: z.number().int().optional().openapi({
      description:
        "scope=single only: the usage charges of that org in the window (cents, booked to whoever pays for it)",
    }),
    daily: z.array(DailyFiguresSchema).openapi({ description: "Every UTC day of the window, zero-filled" }),
  })
  .openapi("PartnerUsageSummary");

const usageSummary = createRoute({
  method: "get",
  path: "/admin/partner-console/usage-summary",
  ...orgScoped,
  tags: ["partner console"],
  summary: "Usage of your whole subtree (scope=all) or of one org of it alone (scope=single)",
  description: "Same figures as /admin/usage/summary (daily rollups, `to` exclusive), without inventory counts.",
  security: authed,
  request: { query: UsageSummaryQuery },
  responses: { 200: json(PartnerUsageSchema), ...errorResponses },
});

export const partnerUsageRoutes = newRouter().openapi(usageSummary, async (c) => {
  const root = partnerRoot(c);
  const q = c.req.valid("query");
  const w = resolveWindow(q);
  const db = c.var.db;
  const head = { scope: q.scope, from: iso(w.from), to: iso(w.to) };
  if (q.scope === "single" && q.org_id) {
    // The subtree check and the read in one round trip; the rows are dropped unless it passes.
    const [check, rows] = await readInOneTrip<{ hit: number | null; charges_cents: number }, UsageDailyRow>(
      db,
      inSubtreeWithChargesSql(root, q.org_id, w.from, w.to),
      rollupsSql("own", q.org_id, w.fromDay, w.toDay),
    );
    if (!check[0]?.hit) throw orgNotFound();
    const { totals, daily } = summarize(rows, w);
    return c.json({ ...head, org_id: q.org_id, ...totals, charges_cents: check[0].charges_cents, daily }, 200);
  }
  // scope=all is always rooted at the caller's own org, read from the credential.
  const rows = await usageStoreOf(c.env, db).subtreeDaily(root, w.fromDay, w.toDay);
  const { totals, daily } = summarize(rows, w);
  return c.json({ ...head, org_id: root, ...totals, daily }, 200);
});
