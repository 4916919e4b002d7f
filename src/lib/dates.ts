/** One UTC day in milliseconds (UTC has no daylight-saving days). */
export const DAY_MS = 86_400_000;

/** An epoch-ms instant as an ISO 8601 string in UTC (`2026-01-31T12:00:00.000Z`); null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The UTC calendar day of an instant: `2026-01-31`. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Every UTC day from `fromDay` through `toDay` (both `YYYY-MM-DD`, inclusive). */
export function* daysBetween(fromDay: string, toDay: string): Generator<string> {
  for (let t = Date.parse(`${fromDay}T00:00:00Z`); t <= Date.parse(`${toDay}T00:00:00Z`); t += DAY_MS) {
    yield dayOf(t);
  }
}

const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * An ISO 8601 date (`2026-01-31`: midnight UTC) or date-time (`2026-01-31T12:00:00Z`; UTC
 * unless an offset is given) as epoch ms; undefined when it is malformed or names a day the
 * calendar does not have. The calendar is checked here because Date.parse rolls
 * `2026-02-30` over to 2 March instead of refusing it.
 */
export function parseInstant(value: string): number | undefined {
  const m = INSTANT_RE.exec(value);
  if (!m) return undefined;
  const [, year, month, day, time, zone] = m;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  const t = Date.parse(time === undefined ? `${value}T00:00:00Z` : zone === undefined ? `${value}Z` : value);
  return Number.isNaN(t) ? undefined : t;
}
