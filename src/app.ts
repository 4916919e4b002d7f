import { type AppEnv, isDevelopment } from "./env";
import { newRouter } from "./http/openapi";
import { onError, onNotFound, requestContext } from "./http/middleware";
import { requestLimits } from "./http/limits";
import { authenticate } from "./auth/middleware";
import { signInRoutes } from "./sign-in/routes";
import { accountRoutes } from "./account/routes";
import { orgRoutes } from "./orgs/routes";
import { keyRoutes } from "./keys/routes";
import { myScopesRoute } from "./members/scopes-route";
import { memberRoutes } from "./members/routes";
import { invitationRoutes } from "./invitations/routes";
import { accountInvitationRoutes } from "./invitations/account-routes";
import { auditRoutes } from "./audit/routes";
import { partnerRoutes } from "./partner/routes";
import { devRoutes } from "./dev/outbox";
import { devConcurrencyRoutes } from "./dev/concurrency";
import { DEV_PREFIX, developmentOnly, withoutDevRoutes } from "./dev/guard";
import { provisioningRoutes } from "./provisioning/routes";
import { billingHooks } from "./billing/hooks";
import { billingRoutes } from "./billing/routes";
import { checkoutRoutes } from "./billing/checkout-routes";
import { webhookRoutes } from "./billing/webhook-routes";
import { localBillingRoutes } from "./billing/local-routes";
import { provisioningHooks } from "./provisioning/hooks";
import { resourceHooks } from "./resources/cleanup";
import { invitationHooks } from "./invitations/service";
import { composeLifecycle, type OrgHooks, type OrgLifecycle } from "./orgs/lifecycle";
import { callRoutes } from "./calls/routes";
import { usageRoutes } from "./usage/routes";
import { agentRoutes } from "./resources/agents-routes";
import { knowledgeBaseRoutes } from "./resources/knowledge-bases-routes";
import { phoneNumberRoutes } from "./resources/phone-numbers-routes";
import { DOCS_HTML } from "./meta/docs-page";
import { customHosts } from "./domains/middleware";
import { domainRoutes } from "./domains/routes";
import { domainHooks } from "./domains/hooks";
import { brandingRoutes } from "./branding/routes";
import { devDnsRoutes } from "./dev/dns";
import { consoleRoutes } from "./console/routes";
import { isConsolePath } from "./console/paths";

/**
 * Every capability that takes part in an organization's creation or deletion, in the
 * order their statements join its batch. This list is the only registration.
 */
export const ORG_HOOKS: readonly OrgHooks[] = [
  billingHooks,
  provisioningHooks,
  invitationHooks,
  resourceHooks,
  domainHooks,
];
export const orgLifecycle = composeLifecycle(ORG_HOOKS);

/**
 * The request path, in order: request id → limits → custom host (an active domain's
 * org and its pages) → authenticate (/admin: credential → principal → org context) → handler (requireScope) → service → D1 / Durable Object / Queue.
 * Tests may pass another lifecycle to observe org creation and deletion.
 */
export function buildApp(lifecycle: OrgLifecycle = orgLifecycle) {
  const app = newRouter();
  app.use("*", requestContext());
  app.use("*", requestLimits(isConsolePath));
  app.use("*", customHosts());
  app.use("*", async (c, next) => {
    c.set("lifecycle", lifecycle);
    await next();
  });
  app.use("/admin/*", authenticate());
  app.use(`${DEV_PREFIX}*`, developmentOnly());

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/docs", (c) => c.html(DOCS_HTML));

  app.route("/", signInRoutes);
  app.route("/", accountRoutes);
  app.route("/", orgRoutes);
  app.route("/", keyRoutes);
  // Before memberRoutes, so /admin/members/me/… is never read as a user id.
  app.route("/", myScopesRoute);
  app.route("/", memberRoutes);
  app.route("/", invitationRoutes);
  app.route("/", accountInvitationRoutes);
  app.route("/", auditRoutes);
  app.route("/", provisioningRoutes);
  app.route("/", callRoutes);
  app.route("/", usageRoutes);
  app.route("/", billingRoutes);
  app.route("/", agentRoutes);
  app.route("/", knowledgeBaseRoutes);
  app.route("/", phoneNumberRoutes);
  app.route("/", partnerRoutes);
  app.route("/", domainRoutes);
  app.route("/", brandingRoutes);
  app.route("/", checkoutRoutes);
  app.route("/", webhookRoutes);
  app.route("/", localBillingRoutes);
  app.route("/", devRoutes);
  app.route("/", devConcurrencyRoutes);
  app.route("/", devDnsRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "A session JWT, a user PAT (pat_…, with X-Anyreach-Org) or an org API key (ak_…)",
  });
  // Built once per isolate on first request; production's copy leaves the dev routes out.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get("/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Anyreach organization API",
        version: "0.1.0",
        description: "Organizations, members, credentials and the partner tree. Errors are application/problem+json.",
      },
      servers: [{ url: "/" }],
    });
    return c.json(isDevelopment(c.env) ? document : withoutDevRoutes(document));
  });

  // Last: the web console's pages (`/`, `/sign-in`, `/{orgSlug}/…`) never shadow an API or meta route.
  app.route("/", consoleRoutes);

  app.notFound(onNotFound);
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof buildApp>;
export type { AppEnv };
