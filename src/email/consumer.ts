import { eq } from "drizzle-orm";
import { makeDb } from "../db/client";
import { emailDeliveries } from "../db/schema";
import type { Env } from "../env";
import { mailerFor } from "../adapters/mail";
import { render, type EmailMessage } from "./messages";

/**
 * Consumer of the `email` queue. At-least-once delivery: a message whose key is already
 * recorded was sent before and is acknowledged without sending again. A failed send is
 * retried with exponential backoff, then lands in `email-dlq`.
 */
export async function consumeEmail(batch: MessageBatch<EmailMessage>, env: Env): Promise<void> {
  const db = makeDb(env.DB);
  const mailer = mailerFor(env);
  for (const msg of batch.messages) {
    const m = msg.body;
    try {
      const seen = await db.select({ k: emailDeliveries.messageKey }).from(emailDeliveries).where(eq(emailDeliveries.messageKey, m.key)).limit(1);
      if (seen.length > 0) {
        msg.ack();
        continue;
      }
      const { subject, text } = render(m);
      await mailer.send({ key: m.key, to: m.to, subject, text });
      await db
        .insert(emailDeliveries)
        .values({ messageKey: m.key, recipient: m.to, subject, body: text, provider: mailer.name, sentAt: Date.now() })
        .onConflictDoNothing();
      msg.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: "error", queue: "email", key: m.key, message: String(err) }));
      msg.retry({ delaySeconds: Math.min(300, 2 ** msg.attempts) });
    }
  }
}

/** Dead letters: record them so an operator sees what never went out. */
export async function consumeEmailDeadLetters(batch: MessageBatch<EmailMessage>): Promise<void> {
  for (const msg of batch.messages) {
    console.error(JSON.stringify({ level: "error", queue: "email-dlq", key: msg.body.key, to: msg.body.to }));
    msg.ack();
  }
}
