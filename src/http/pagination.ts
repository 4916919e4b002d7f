import { z } from "@hono/zod-openapi";

/** `?limit=&cursor=`: lists are paginated, never silently capped. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ description: "1–100, default 25" }),
  cursor: z.string().max(200).optional().openapi({ description: "`next_cursor` of the previous page" }),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export function encodeCursor(parts: (string | number)[]): string {
  return btoa(JSON.stringify(parts)).replace(/=+$/, "");
}

export function decodeCursor(cursor: string | undefined): (string | number)[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(atob(cursor));
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** Given `limit + 1` rows, the page and the cursor built from its last row. */
export function paginate<T>(rows: T[], limit: number, cursorOf: (row: T) => (string | number)[]) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page, next_cursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
