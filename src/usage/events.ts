import { AppError, type FieldError } from "../lib/errors";
import { DAY_MS } from "../lib/dates";
import type { Direction, ReportedEvent } from "./messages";

/**
 * The window a reported event's `occurred_at` must fall in, as metering systems have one:
 * late events are accepted for 35 days (a month closes a few days after it ends), and a
 * sender's clock may run 5 minutes ahead. Anything else (the year 2000 or 2099) is refused
 * with the batch, never counted.
 */
export const EVENT_MAX_AGE_DAYS = 35;
export const EVENT_MAX_AHEAD_MINUTES = 5;

export const EVENT_WINDOW_TEXT =
  `occurred_at must lie within the last ${EVENT_MAX_AGE_DAYS} days and at most ` +
  `${EVENT_MAX_AHEAD_MINUTES} minutes ahead of the server's clock`;

export type EventInput =
  | { key: string; kind: "chat"; occurred_at?: string; duration_seconds: number; direction: Direction }
  | { key: string; kind: "workflow_run"; occurred_at?: string; outcome: "success" | "failed" };

/**
 * The events of one report as the usage queue carries them. All or nothing: one event
 * outside the window refuses the request (400 naming each such `events.N.occurred_at`).
 */
export function reportedEvents(input: EventInput[], now = Date.now()): ReportedEvent[] {
  const earliest = now - EVENT_MAX_AGE_DAYS * DAY_MS;
  const latest = now + EVENT_MAX_AHEAD_MINUTES * 60_000;
  const errors: FieldError[] = [];
  const events = input.map((e, i): ReportedEvent => {
    const occurredAt = e.occurred_at ? Date.parse(e.occurred_at) : now;
    if (!(occurredAt >= earliest && occurredAt <= latest)) {
      errors.push({
        field: `events.${i}.occurred_at`,
        message: `must be within the last ${EVENT_MAX_AGE_DAYS} days and at most ${EVENT_MAX_AHEAD_MINUTES} minutes ahead`,
      });
    }
    return e.kind === "chat"
      ? {
          key: e.key,
          kind: "chat",
          occurredAt,
          durationMs: Math.round(e.duration_seconds * 1000),
          direction: e.direction,
        }
      : { key: e.key, kind: "workflow_run", occurredAt, outcome: e.outcome };
  });
  if (errors.length > 0) {
    throw new AppError("validation_failed", `Invalid body: ${errors[0]?.field}: ${EVENT_WINDOW_TEXT}.`, { errors });
  }
  return events;
}
