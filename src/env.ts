import type { Db } from "./db/client";
import type { Principal } from "./auth/principal";
import type { OrgConcurrency } from "./calls/concurrency-object";
import type { RateLimiter } from "./lib/rate-limiter";
import type { OrgLifecycle } from "./orgs/lifecycle";

/** Bindings and variables from wrangler.toml, `.dev.vars` and `wrangler secret put`. */
export interface Env {
  DB: D1Database;
  EMAIL_QUEUE: Queue<unknown>;
  PROVISIONING_QUEUE: Queue<unknown>;
  USAGE_QUEUE: Queue<unknown>;
  /** Billing: syncs after provider events and subscription cancels of deleted orgs (billing/messages.ts). */
  BILLING_QUEUE: Queue<unknown>;
  ORG_CONCURRENCY: DurableObjectNamespace<OrgConcurrency>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;

  /** Sign-in limits (README, "Security and limits"); per hour. */
  SIGN_IN_STARTS_PER_EMAIL?: string;
  SIGN_IN_STARTS_PER_ADDRESS?: string;
  SIGN_IN_WRONG_CODES_PER_EMAIL?: string;
  /** Quotas and the per-recipient mail cap (src/quotas/limits.ts; README, "Security and limits"). */
  MAX_TOP_LEVEL_ORGS_PER_USER?: string;
  MAX_FREE_ORGS_PER_USER?: string;
  MAX_PENDING_INVITATIONS_PER_ORG?: string;
  MAX_API_KEYS_PER_ORG?: string;
  MAX_PATS_PER_USER?: string;
  EMAILS_PER_RECIPIENT_PER_DAY?: string;

  ENVIRONMENT: string;
  APP_URL: string;
  JWT_SECRET?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  CREDENTIAL_CACHE_TTL_SECONDS?: string;
  /** Seconds a cached read (src/db/read-cache.ts) may lag a write made by another isolate; 0 = off. */
  READ_CACHE_TTL_SECONDS?: string;

  /** Optional external OIDC issuer trusted for session tokens. */
  OIDC_ISSUER?: string;
  OIDC_AUDIENCE?: string;
  OIDC_JWKS_URL?: string;
  /** Inline JWKS (JSON) instead of a URL: for air-gapped set-ups and tests. */
  OIDC_JWKS?: string;

  MAIL_PROVIDER: string;
  MAIL_FROM: string;
  MAIL_API_URL?: string;
  MAIL_API_KEY?: string;

  BILLING_PROVIDER: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_API_BASE?: string;
  /** Stripe price ids of the plans (BILLING_PROVIDER=stripe; src/billing/plans.ts). */
  STRIPE_PRICE_FREE?: string;
  STRIPE_PRICE_SMB?: string;
  STRIPE_PRICE_AGENCY?: string;
  /** A new org's free trial: its length and the credit its ledger starts with. */
  TRIAL_DAYS?: string;
  TRIAL_CREDIT_CENTS?: string;
  /** Milliseconds a call to any third-party service may take (src/adapters/http.ts); default 8000. */
  PROVIDER_TIMEOUT_MS?: string;
  TELEPHONY_PROVIDER: string;
  TELEPHONY_API_URL?: string;
  TELEPHONY_API_KEY?: string;
  PROVISIONING_BACKOFF_BASE_SECONDS?: string;
  CALL_LEASE_SECONDS?: string;
  /** Where usage and its daily rollups live (src/usage/store.ts, docs/SCALING.md): "d1" (default). */
  USAGE_STORE?: string;
  /** "enabled" only in tests: provisioning steps consult the fault_injections table. */
  FAULT_INJECTION?: string;
  /** Custom domains (src/adapters/domains.ts): "local" (default), "doh" or "cloudflare". */
  DOMAIN_PROVIDER?: string;
  /** Domain claims and checks (PUT/verify) an org may ask for per hour (src/domains/service.ts); default 30. */
  DOMAIN_CHECKS_PER_HOUR?: string;
  /** DNS-over-HTTPS JSON endpoint (DOMAIN_PROVIDER=doh), e.g. https://cloudflare-dns.com/dns-query. */
  DOH_URL?: string;
  /** Cloudflare for SaaS (DOMAIN_PROVIDER=cloudflare): API base, token and the SaaS zone. */
  CLOUDFLARE_API_BASE?: string;
  CLOUDFLARE_API_TOKEN?: string;
  CLOUDFLARE_ZONE_ID?: string;
  /** Where customers point their domain (CNAME); defaults to APP_URL's host. */
  DOMAIN_CNAME_TARGET?: string;
  /** Hosts that are the product itself (comma-separated; `*.x` matches subdomains), besides APP_URL's. */
  PRODUCT_HOSTS?: string;
  /** Seconds a host → org answer stays cached in an isolate (default 30). */
  DOMAIN_CACHE_TTL_SECONDS?: string;
  /** Hours a domain may stay pending before the cron gives up (default 72). */
  DOMAIN_VERIFY_TIMEOUT_HOURS?: string;
}

/** What middleware puts on the context; handlers read it with `c.var`. */
export interface Variables {
  requestId: string;
  db: Db;
  /** Set by `authenticate()` on every /admin route. */
  principal: Principal;
  /** Every capability's part in org creation and deletion, composed once in app.ts. */
  lifecycle: OrgLifecycle;
  /** Set by the host middleware when `Host` is an active custom domain: that org's id. */
  hostOrgId?: string;
}

export type AppEnv = { Bindings: Env; Variables: Variables };

export function isDevelopment(env: Env): boolean {
  return env.ENVIRONMENT === "development";
}

/** A numeric setting from wrangler.toml / .dev.vars, or `fallback` when unset or not a positive number. */
export function positiveVar(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}
