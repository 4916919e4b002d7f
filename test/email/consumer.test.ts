import { env } from "cloudflare:workers";
import { createMessageBatch, getQueueResult, createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import worker from "../../src/worker";
import { emailDeliveries } from "../../src/db/schema";
import type { EmailMessage } from "../../src/email/messages";
import { db, uniq } from "../harness";

const httpEnv = (url: string) => ({ ...env, MAIL_PROVIDER: "http", MAIL_API_URL: url, MAIL_API_KEY: "fake-mail-key" });

describe("the email queue consumer", () => {
  const message = (key: string, to: string): EmailMessage => ({
    key,
    to,
    template: "sign_in_code",
    data: { code: "123456" },
  });

  it("a message delivered twice is sent once", async () => {
    const to = `${uniq("dup")}@example.com`;
    const key = uniq("key");
    for (let i = 0; i < 2; i++) {
      const batch = createMessageBatch("email", [
        { id: `m${i}`, timestamp: new Date(), attempts: 1, body: message(key, to) },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual([`m${i}`]);
    }
    const rows = await db().select().from(emailDeliveries).where(eq(emailDeliveries.recipient, to));
    expect(rows).toHaveLength(1);
  });

  it("a failing provider retries the message with backoff and records nothing", async () => {
    const to = `${uniq("fail")}@example.com`;
    const batch = createMessageBatch("email", [
      { id: "m1", timestamp: new Date(), attempts: 3, body: message(uniq("key"), to) },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, httpEnv("http://mail.fake.test/fail"), ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["m1"]);
    expect(result.explicitAcks).toEqual([]);
    expect(await db().select().from(emailDeliveries).where(eq(emailDeliveries.recipient, to))).toHaveLength(0);
  });
});
