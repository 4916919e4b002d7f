import { z } from "@hono/zod-openapi";

/** `?limit=&cursor=`: lists are paginated, never silently capped. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ description: "1–100, default 25" }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "`next_cursor` of the previous page, unchanged (any other value is a 400)" }),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });
