import { buildApp } from "./app";
import { rewriteAlias } from "./http/alias";
import { problemResponse } from "./http/errors";
import { newRequestId } from "./http/middleware";
import { AppError } from "./lib/errors";
import type { Env } from "./env";
import { consumeEmail, consumeEmailDeadLetters } from "./email/consumer";
import type { EmailMessage } from "./email/messages";
import { consumeProvisioning, consumeProvisioningDeadLetters } from "./provisioning/consumer";
import { resendUnacknowledged, type ProvisioningMessage } from "./provisioning/outbox";
import { consumeBilling, consumeBillingDeadLetters } from "./billing/consumer";
import type { BillingMessage } from "./billing/messages";
import { consumeUsage, consumeUsageDeadLetters } from "./usage/consumer";
import type { UsageMessage } from "./usage/messages";
import { recheckDomains } from "./domains/service";

export { OrgConcurrency } from "./calls/concurrency-object";
export { RateLimiter } from "./lib/rate-limiter";

const app = buildApp();

export default {
  fetch(req, env, ctx) {
    const rewritten = rewriteAlias(req);
    if (rewritten instanceof AppError) return problemResponse(rewritten, newRequestId());
    return app.fetch(rewritten, env, ctx);
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
      case "billing":
        return consumeBilling(batch as MessageBatch<BillingMessage>, env);
      case "billing-dlq":
        return consumeBillingDeadLetters(batch as MessageBatch<BillingMessage>);
      default:
        // An unknown queue is a deployment mistake: retry, so nothing is lost.
        batch.retryAll();
    }
  },
  async scheduled(_controller, env) {
    // Every minute: re-send provisioning, re-check custom domains. One failing leaves the other be.
    const results = await Promise.allSettled([resendUnacknowledged(env), recheckDomains(env)]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  },
} satisfies ExportedHandler<Env, unknown>;
