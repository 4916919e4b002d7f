import { AppError } from "../lib/errors";
import { dayOf } from "./rollups";

export const MAX_WINDOW_DAYS = 366;
const DAY_MS = 86_400_000;
const ISO_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export type UsageWindow = { from: number; to: number; fromDay: string; toDay: string };

function parseInstant(field: "from" | "to", v: string): number {
  const zoned = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(v) || !v.includes("T") ? v : `${v}Z`;
  const t = ISO_RE.test(v) ? Date.parse(v.includes("T") ? zoned : `${v}T00:00:00Z`) : NaN;
  if (Number.isNaN(t)) {
    throw new AppError(
      "validation_failed",
      `Invalid query: ${field}: use ISO 8601 (2026-01-31 or 2026-01-31T12:00:00Z).`,
      {
        errors: [{ field, message: "ISO 8601 date or date-time; UTC unless an offset is given" }],
      },
    );
  }
  return t;
}

/**
 * The usage window: ISO 8601 `from`/`to` in UTC, default month-to-date; `to` must be
 * after `from` and at most 366 days later. `to` is exclusive; rollups are per UTC day,
 * so the summary covers the days from `from`'s day through the day before `to`'s instant.
 */
export function resolveWindow(q: { from?: string; to?: string }, now = Date.now()): UsageWindow {
  const to = q.to !== undefined ? parseInstant("to", q.to) : now;
  const monthStart = (t: number) => Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), 1);
  const from = q.from !== undefined ? parseInstant("from", q.from) : monthStart(to === monthStart(to) ? to - 1 : to);
  if (to <= from) {
    throw new AppError("validation_failed", "Invalid query: to must be after from.", {
      errors: [{ field: "to", message: "must be after from" }],
    });
  }
  if (to - from > MAX_WINDOW_DAYS * DAY_MS) {
    throw new AppError("validation_failed", `Invalid query: the window may span at most ${MAX_WINDOW_DAYS} days.`, {
      errors: [{ field: "to", message: `at most ${MAX_WINDOW_DAYS} days after from` }],
    });
  }
  return { from, to, fromDay: dayOf(from), toDay: dayOf(to - 1) };
}
