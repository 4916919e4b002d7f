/**
 * Cursor pagination for services: `{ data, next_cursor }` pages read `limit + 1` rows and
 * hand back an opaque cursor built from the last row. The HTTP query schema is in
 * http/pagination.ts.
 */

export type Page<T> = { data: T[]; next_cursor: string | null };

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

/** The position a one-key cursor (`encodeCursor([id])`) points after, if it holds one. */
export function cursorKey(cursor: string | undefined): string | number | undefined {
  return decodeCursor(cursor)?.[0];
}

/** Given `limit + 1` rows, the page and the cursor built from its last row. */
export function paginate<T>(rows: T[], limit: number, cursorOf: (row: T) => (string | number)[]): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page, next_cursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
