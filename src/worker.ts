import { buildApp } from "./app";
import type { Env } from "./env";
import { consumeEmail, consumeEmailDeadLetters } from "./email/consumer";
import type { EmailMessage } from "./email/messages";
import { consumeProvisioning, consumeProvisioningDeadLetters } from "./provisioning/consumer";
import { resendUnacknowledged, type ProvisioningMessage } from "./provisioning/outbox";
import { consumeUsage, consumeUsageDeadLetters } from "./usage/consumer";
import type { UsageMessage } from "./usage/messages";

export { OrgConcurrency } from "./calls/concurrency-object";

const app = buildApp();

/**
 * `/v1/orgs/{org}/…` is the dashboard-style alias of `/admin/…` with the org in the path;
 * `/v1/…` aliases `/admin/…`. Both become the same request the /admin routes answer.
 */
function rewriteAlias(req: Request): Request {
  const url = new URL(req.url);
  const m = /^\/v1\/orgs\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (m) {
    url.pathname = `/admin${m[2] ?? "/organization"}`;
    const headers = new Headers(req.headers);
    headers.set("x-anyreach-org", decodeURIComponent(m[1]!));
    return new Request(url, new Request(req, { headers }));
  }
  if (url.pathname.startsWith("/v1/")) {
    url.pathname = `/admin/${url.pathname.slice(4)}`;
    return new Request(url, req);
  }
  return req;
}

export default {
  fetch(req, env, ctx) {
    return app.fetch(rewriteAlias(req), env, ctx);
  },
  async queue(batch, env, _ctx) {
    switch (batch.queue) {
      case "email":
        return consumeEmail(batch as MessageBatch<EmailMessage>, env);
      case "email-dlq":
        return consumeEmailDeadLetters(batch as MessageBatch<EmailMessage>);
      case "provisioning":
        return consumeProvisioning(batch as MessageBatch<ProvisioningMessage>, env);
      case "provisioning-dlq":
        return consumeProvisioningDeadLetters(batch as MessageBatch<ProvisioningMessage>, env);
      case "usage":
        return consumeUsage(batch as MessageBatch<UsageMessage>, env);
      case "usage-dlq":
        return consumeUsageDeadLetters(batch as MessageBatch<UsageMessage>);
      default:
        // An unknown queue is a deployment mistake: retry, so nothing is lost.
        batch.retryAll();
    }
  },
  async scheduled(_controller, env) {
    await resendUnacknowledged(env);
  },
} satisfies ExportedHandler<Env, unknown>;
