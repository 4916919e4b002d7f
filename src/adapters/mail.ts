import type { Env } from "../env";
import { providerFetch, providerTimeoutMs } from "./http";

export type OutgoingMail = { key: string; to: string; subject: string; text: string };

/** Delivers one e-mail. `key` is an idempotency key the provider may use to drop duplicates. */
export interface Mailer {
  readonly name: string;
  send(mail: OutgoingMail): Promise<void>;
}

/** Development: nothing leaves the machine; the delivery record is the mailbox (GET /dev/outbox). */
class LocalMailer implements Mailer {
  readonly name = "local";
  async send(): Promise<void> {}
}

/** A JSON-over-HTTP provider (Postmark/Resend-style): POST {from,to,subject,text} with a bearer key. */
class HttpMailer implements Mailer {
  readonly name = "http";
  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly from: string,
    private readonly timeoutMs: number,
  ) {}
  async send(mail: OutgoingMail): Promise<void> {
    const res = await providerFetch("The mail provider", this.timeoutMs, this.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${this.apiKey}`,
        "idempotency-key": mail.key,
      },
      body: JSON.stringify({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text }),
    });
    if (!res.ok) throw new Error(`mail provider answered ${res.status}`);
  }
}

export function mailerFor(env: Env): Mailer {
  if (env.MAIL_PROVIDER === "http") {
    if (!env.MAIL_API_URL || !env.MAIL_API_KEY)
      throw new Error("MAIL_PROVIDER=http needs MAIL_API_URL and MAIL_API_KEY");
    return new HttpMailer(env.MAIL_API_URL, env.MAIL_API_KEY, env.MAIL_FROM, providerTimeoutMs(env));
  }
  return new LocalMailer();
}
