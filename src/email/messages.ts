import type { Env } from "../env";

/** Body of a message on the `email` queue. `key` makes redelivery harmless. */
export type EmailMessage =
  | { key: string; to: string; template: "sign_in_code"; data: { code: string } }
  | {
      key: string;
      to: string;
      template: "invitation";
      data: { org_name: string; role: string; accept_url: string; expires_at?: string; inviter?: string };
    };

export function render(msg: EmailMessage): { subject: string; text: string } {
  switch (msg.template) {
    case "sign_in_code":
      return {
        subject: `Your Anyreach sign-in code: ${msg.data.code}`,
        text: `Your sign-in code is ${msg.data.code}. It expires in 10 minutes. If you did not ask for it, ignore this e-mail.`,
      };
    case "invitation":
      return {
        subject: `You are invited to ${msg.data.org_name} on Anyreach`,
        text:
          `${msg.data.inviter ?? "Someone"} invited you to join ${msg.data.org_name} as ${msg.data.role}.\n` +
          `Accept: ${msg.data.accept_url}\n` +
          (msg.data.expires_at ? `The invitation expires at ${msg.data.expires_at}.` : ""),
      };
  }
}

export async function enqueueEmail(env: Env, msg: EmailMessage): Promise<void> {
  await env.EMAIL_QUEUE.send(msg, { contentType: "json" });
}
