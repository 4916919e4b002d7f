import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/worker";
import { faultInjections } from "../../src/db/schema";
import { db } from "../harness";

let msgSeq = 0;

/** Delivers messages straight to the worker's queue handler and returns what it acked/retried. */
export async function deliver<T>(
  queue: string,
  bodies: T[],
  opts: { attempts?: number; env?: Partial<Cloudflare.Env> } = {},
) {
  const batch = createMessageBatch<T>(
    queue,
    bodies.map((body) => ({ id: `msg-${++msgSeq}`, timestamp: new Date(), attempts: opts.attempts ?? 1, body })),
  );
  const ctx = createExecutionContext();
  const handler: (b: MessageBatch<unknown>, e: Cloudflare.Env, c: ExecutionContext) => Promise<void> = worker.queue;
  await handler(batch as MessageBatch<unknown>, { ...env, ...opts.env }, ctx);
  return getQueueResult(batch, ctx);
}

/** Makes `step` fail `times` times for the org with this id or slug (FAULT_INJECTION is on in tests). */
export async function injectFault(
  step: string,
  orgRef: string,
  times: number,
  message = "injected failure",
): Promise<void> {
  await db()
    .insert(faultInjections)
    .values({ step, orgRef, remaining: times, message })
    .onConflictDoUpdate({ target: [faultInjections.step, faultInjections.orgRef], set: { remaining: times, message } });
}

/**
 * A batch that records what the consumer decided for each message, including the retry
 * delay (which getQueueResult does not report). For calling a consumer function directly.
 */
export function recordingBatch<T>(queue: string, bodies: T[], attempts: number) {
  const decisions: { id: string; ack?: true; retryDelay?: number }[] = [];
  const messages = bodies.map((body, i) => ({
    id: `rec-${++msgSeq}-${i}`,
    timestamp: new Date(),
    attempts,
    body,
    ack() {
      decisions.push({ id: this.id, ack: true });
    },
    retry(o?: QueueRetryOptions) {
      decisions.push({ id: this.id, retryDelay: o?.delaySeconds ?? 0 });
    },
  }));
  const batch: MessageBatch<T> = {
    queue,
    messages,
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    ackAll: () => {
      for (const m of messages) m.ack();
    },
    retryAll: (o?: QueueRetryOptions) => {
      for (const m of messages) m.retry(o);
    },
  };
  return { batch, decisions };
}

/** Runs the worker's cron handler once. */
export async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  const handler: (c: ScheduledController, e: Cloudflare.Env, x: ExecutionContext) => Promise<void> = worker.scheduled;
  await handler(createScheduledController({ scheduledTime: new Date(), cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}
