import { inArray } from "drizzle-orm";
import { makeDb } from "../db/client";
import { runBatch } from "../db/batch";
import { backoffSeconds } from "../lib/backoff";
import { emailDeliveries } from "../db/schema";
import type { Env } from "../env";
import { mailerFor } from "../adapters/mail";
import { render, type EmailMessage } from "./messages";

/** 2 s, 4 s, 8 s … capped at five minutes: the shared queue backoff. */
const backoff = (attempts: number) => ({ delaySeconds: backoffSeconds(attempts) });

/**
 * Consumer of the `email` queue. At-least-once delivery: a message whose key is already
 * recorded was sent before and is acknowledged without sending again (also when the same
 * key appears twice in one batch). A failed send is retried with exponential backoff, then
 * lands in `email-dlq`. D1 is read once and written once per batch, not per message: the
 * consumer shares D1's single writer with the API.
 */
export async function consumeEmail(batch: MessageBatch<EmailMessage>, env: Env): Promise<void> {
  const db = makeDb(env.DB);
  const mailer = mailerFor(env);
  const keys = [...new Set(batch.messages.map((m) => m.body.key))];
  const seen = new Set(
    (
      await db
        .select({ k: emailDeliveries.messageKey })
        .from(emailDeliveries)
        .where(inArray(emailDeliveries.messageKey, keys))
    ).map((r) => r.k),
  );
  const sent: { msg: Message<EmailMessage>; row: typeof emailDeliveries.$inferInsert }[] = [];
  for (const msg of batch.messages) {
    const m = msg.body;
    if (seen.has(m.key)) {
      msg.ack();
      continue;
    }
    seen.add(m.key);
    try {
      const { subject, text } = render(m);
      await mailer.send({ key: m.key, to: m.to, subject, text });
      sent.push({
        msg,
        row: { messageKey: m.key, recipient: m.to, subject, body: text, provider: mailer.name, sentAt: Date.now() },
      });
    } catch (err) {
      console.error(JSON.stringify({ level: "error", queue: "email", key: m.key, message: String(err) }));
      msg.retry(backoff(msg.attempts));
    }
  }
  if (sent.length === 0) return;
  try {
    await runBatch(
      db,
      sent.map(({ row }) => db.insert(emailDeliveries).values(row).onConflictDoNothing()),
    );
    for (const { msg } of sent) msg.ack();
  } catch (err) {
    // Not recorded: retry, so the record is written (the provider gets the same idempotency key).
    console.error(
      JSON.stringify({ level: "error", queue: "email", message: `recording deliveries failed: ${String(err)}` }),
    );
    for (const { msg } of sent) msg.retry(backoff(msg.attempts));
  }
}

/** Dead letters: record them so an operator sees what never went out. */
export async function consumeEmailDeadLetters(batch: MessageBatch<EmailMessage>): Promise<void> {
  for (const msg of batch.messages) {
    console.error(JSON.stringify({ level: "error", queue: "email-dlq", key: msg.body.key, to: msg.body.to }));
    msg.ack();
  }
}
