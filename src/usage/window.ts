import { AppError } from "../lib/errors";
import { DAY_MS, dayOf, parseInstant } from "../lib/dates";

export const MAX_WINDOW_DAYS = 366;

export type UsageWindow = { from: number; to: number; fromDay: string; toDay: string };

function instant(field: "from" | "to", v: string): number {
  const t = parseInstant(v);
  if (t === undefined) {
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
 * The usage window of both usage summaries (/admin/usage/summary and the partner console's):
 * ISO 8601 `from`/`to` (lib/dates `parseInstant`), default month-to-date UTC; `to` must be
 * after `from` and at most 366 days later. `to` is exclusive; rollups are per UTC day,
 * so the summary covers the days from `from`'s day through the day before `to`'s instant.
 */
export function resolveWindow(q: { from?: string; to?: string }, now = Date.now()): UsageWindow {
  const to = q.to !== undefined ? instant("to", q.to) : now;
  const monthStart = (t: number) => Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), 1);
  const from = q.from !== undefined ? instant("from", q.from) : monthStart(to === monthStart(to) ? to - 1 : to);
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
