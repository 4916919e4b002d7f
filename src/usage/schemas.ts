import { z } from "@hono/zod-openapi";

/** The usage figures both summaries answer with (/admin/usage/summary and the partner console's). */
export const FiguresSchema = z.object({
  voice_minutes: z.number(),
  voice_calls: z.number().int(),
  chat_minutes: z.number(),
  chat_calls: z.number().int(),
  total_calls: z.number().int(),
  inbound_calls: z.number().int(),
  outbound_calls: z.number().int(),
  average_duration_seconds: z.number(),
  workflow_runs_total: z.number().int(),
  workflow_runs_success: z.number().int(),
  workflow_runs_failed: z.number().int(),
});
export const DailyFiguresSchema = FiguresSchema.extend({ date: z.string() });
export const InventorySchema = z.object({
  agents: z.number().int(),
  phone_numbers: z.number().int(),
  web_widgets: z.number().int(),
  knowledge_bases: z.number().int(),
});

export type UsageFigures = z.infer<typeof FiguresSchema>;
export type DailyFigures = z.infer<typeof DailyFiguresSchema>;
export type Inventory = z.infer<typeof InventorySchema>;
