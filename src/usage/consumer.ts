import type { Env } from "../env";
import { backoffSeconds } from "../lib/backoff";
import type { UsageMessage } from "./messages";
import { usageStoreOf } from "./store";

/**
 * Consumer of the `usage` queue: the whole batch is recorded at once (`UsageStore.record`,
 * src/usage/store.ts; on D1 one transaction of a few multi-row inserts and one rollup). If
 * that fails, each message is tried alone so one bad message (its org was deleted) cannot
 * hold back the others; it alone is retried and eventually dead-lettered. Redelivery is harmless: events and their charges are keyed.
 */
export async function consumeUsage(batch: MessageBatch<UsageMessage>, env: Env): Promise<void> {
  const store = usageStoreOf(env);
  try {
    await store.record(batch.messages.map((m) => m.body));
    batch.ackAll();
    return;
  } catch (err) {
    if (batch.messages.length === 1) {
      console.error(JSON.stringify({ level: "error", queue: "usage", message: String(err) }));
    }
  }
  for (const msg of batch.messages) {
    try {
      await store.record([msg.body]);
      msg.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", queue: "usage", org_id: msg.body.orgId, message: String(err) }));
      msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
    }
  }
}

/** Dead letters: usage that could not be recorded (e.g. its org is gone). Logged for an operator. */
export async function consumeUsageDeadLetters(batch: MessageBatch<UsageMessage>): Promise<void> {
  for (const msg of batch.messages) {
    console.error(JSON.stringify({ level: "error", queue: "usage-dlq", org_id: msg.body.orgId, type: msg.body.type }));
    msg.ack();
  }
}
