import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mailerFor } from "../../src/adapters/mail";

// The HTTP provider's endpoint is the fake in test/fakes/outbound.ts.
const httpEnv = (url: string) => ({ ...env, MAIL_PROVIDER: "http", MAIL_API_URL: url, MAIL_API_KEY: "fake-mail-key" });

describe("mail adapters", () => {
  it("the HTTP provider adapter posts the mail with its key and an idempotency key", async () => {
    const mailer = mailerFor(httpEnv("http://mail.fake.test/send"));
    await expect(mailer.send({ key: "k1", to: "a@b.example", subject: "s", text: "t" })).resolves.toBeUndefined();
  });

  it("a provider failure is an error (so the queue retries)", async () => {
    const mailer = mailerFor(httpEnv("http://mail.fake.test/fail"));
    await expect(mailer.send({ key: "k1", to: "a@b.example", subject: "s", text: "t" })).rejects.toThrow(/503/);
  });

  it("MAIL_PROVIDER=http without its settings refuses to start sending", () => {
    expect(() => mailerFor({ ...env, MAIL_PROVIDER: "http", MAIL_API_URL: undefined })).toThrow(/MAIL_API_URL/);
  });
});
