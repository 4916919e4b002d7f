import { AppError } from "./errors";

/**
 * Cursor pagination for services: `{ data, next_cursor }` pages read `limit + 1` rows and
 * hand back an opaque cursor built from the last row. The HTTP query schema is in
 * http/pagination.ts.
 *
 * A cursor is base64url of a JSON array of 1–4 parts (strings of printable ASCII, or safe
 * integers). Reading one checks that shape and the kinds the list expects: a cursor this code
 * did not make (`AAAA`, a hand-edited one, one of another list) is a 400 `validation_failed`
 * naming `cursor`, never a silent first page. Cursors are not signed: they only say where a
 * list of the caller's own rows resumes, so a forged well-formed one reveals nothing.
 */

export type Page<T> = { data: T[]; next_cursor: string | null };
export type CursorPart = string | number;

const MAX_PARTS = 4;
const PART_RE = /^[\x21-\x7e]{1,200}$/;

export function encodeCursor(parts: CursorPart[]): string {
  return btoa(JSON.stringify(parts)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

export function invalidCursor(): AppError {
  return new AppError("validation_failed", "Invalid cursor.", {
    errors: [{ field: "cursor", message: "Pass next_cursor unchanged" }],
  });
}

const isPart = (v: unknown): v is CursorPart =>
  (typeof v === "string" && PART_RE.test(v)) || (typeof v === "number" && Number.isSafeInteger(v));

/**
 * The parts of a cursor this code made; `null` when there is none (absent or empty: the first
 * page). Throws `invalidCursor()` for anything else.
 */
export function decodeCursor(cursor: string | undefined): CursorPart[] | null {
  if (cursor === undefined || cursor === "") return null;
  // base64url as encodeCursor writes it; the standard alphabet of older cursors is read too.
  if (!/^[A-Za-z0-9_+/-]+={0,2}$/.test(cursor)) throw invalidCursor();
  let v: unknown;
  try {
    v = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_PARTS || !v.every(isPart)) throw invalidCursor();
  return v;
}

type Kind = "string" | "number";
type Parts<K extends readonly Kind[]> = { [I in keyof K]: K[I] extends "string" ? string : number };

/**
 * The parts of a cursor whose shape the list knows (`["number", "string"]` for a time and the
 * id breaking ties), or `null` on the first page. Any other shape is a 400.
 */
export function cursorParts<const K extends readonly Kind[]>(cursor: string | undefined, kinds: K): Parts<K> | null {
  const parts = decodeCursor(cursor);
  if (parts === null) return null;
  if (parts.length !== kinds.length || parts.some((p, i) => typeof p !== kinds[i])) throw invalidCursor();
  return parts as Parts<K>;
}

/** The id a one-key cursor (`encodeCursor([id])`) points after, or `undefined` on the first page. */
export function cursorKey(cursor: string | undefined): string | undefined {
  return cursorParts(cursor, ["string"] as const)?.[0];
}

/** Given `limit + 1` rows, the page and the cursor built from its last row. */
export function paginate<T>(rows: T[], limit: number, cursorOf: (row: T) => CursorPart[]): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page, next_cursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
