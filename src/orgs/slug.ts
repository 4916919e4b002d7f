import { randomBase62 } from "../lib/crypto";

/** Latin letters (stored lower-case), digits and hyphens; no leading/trailing hyphen. */
export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Slugs no organization may take, because they name something else:
 * - every literal segment of a product path — the API (/admin/…, /auth/…, /v1/…, /dev/…,
 *   /webhooks/…), the meta routes and the console's pages — so `/v1/orgs/{slug}` or a page
 *   under `/{slug}` never reads as a product path (test/orgs/slugs.test.ts checks this list
 *   against /openapi.json);
 * - words a client may send where a slug goes (`current`, `me`, `null`, …) and the product's names.
 * Besides these: `v` + digits (API versions) and anything shaped like an id (`isIdShaped`).
 */
export const RESERVED_SLUGS = new Set([
  // API roots and meta routes
  "admin",
  "api",
  "auth",
  "dev",
  "docs",
  "healthz",
  "health",
  "openapi",
  "webhooks",
  "well-known",
  // /admin/… and /auth/… segments
  "accept",
  "account",
  "accounts",
  "agents",
  "audit",
  "audit-log",
  "billing",
  "branding",
  "calls",
  "ledger",
  "plans",
  "checkout",
  "concurrency",
  "concurrency-limit",
  "decline",
  "dns",
  "domain",
  "domains",
  "drive",
  "email",
  "end",
  "events",
  "heartbeat",
  "invitations",
  "invitation",
  "invite",
  "keys",
  "keep",
  "knowledge-bases",
  "leave",
  "local",
  "members",
  "oidc",
  "onboard",
  "organization",
  "organization-pats",
  "organizations",
  "orgs",
  "outbox",
  "partner",
  "partner-console",
  "partners",
  "phone-numbers",
  "portal",
  "provisioning",
  "resend",
  "resume",
  "retry",
  "roles",
  "scopes",
  "search",
  "sessions",
  "slug-availability",
  "start",
  "stripe",
  "subscription",
  "summary",
  "tokens",
  "top-ups",
  "transfer-ownership",
  "usage",
  "usage-summary",
  "verify",
  // console pages and common site paths
  "api-keys",
  "app",
  "assets",
  "console",
  "dashboard",
  "help",
  "login",
  "logout",
  "o",
  "org",
  "security-log",
  "settings",
  "suspend",
  "sign-in",
  "sign-out",
  "sign-up",
  "signin",
  "signout",
  "signup",
  "static",
  "status",
  "support",
  "www",
  // words that stand for something else where a slug goes
  "current",
  "me",
  "new",
  "null",
  "root",
  "self",
  "system",
  "undefined",
  "anyreach",
]);

/**
 * The prefixes of the product's ids (`newId("org")` → `org_…`) and tokens (`ak_`, `pat_`).
 * test/orgs/slugs.test.ts fails when a `newId` prefix in src/ is missing here.
 */
export const ID_PREFIXES = [
  "agt",
  "ak",
  "aud",
  "call",
  "cus",
  "inv",
  "cs",
  "evt",
  "kb",
  "key",
  "led",
  "org",
  "pat",
  "pn",
  "bps",
  "sec",
  "ses",
  "sub",
  "trk",
  "usr",
];

const ID_SHAPED = new RegExp(`^(?:${ID_PREFIXES.join("|")})-`);

/** `org-…`, `usr-…`, `ak-…`: a slug that reads like an id (`org_…`) in a URL, a log or a support chat. */
export function isIdShaped(slug: string): boolean {
  return ID_SHAPED.test(slug);
}

export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug) || /^v\d+$/.test(slug) || isIdShaped(slug);
}

/** Slug from a display name or an e-mail local part: "Acme West!" → "acme-west". */
export function slugify(input: string): string {
  const s = input
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
  return s.length > 0 ? s : "team";
}

/**
 * A generated slug that is not id-shaped: the hyphen after an id prefix goes ("org-acme" →
 * "orgacme"). Reserved words are left to the caller, which adds a suffix ("admin-x1y2z3").
 */
export function notIdShaped(slug: string): string {
  let s = slug;
  while (isIdShaped(s)) s = s.replace("-", "");
  return s;
}

export function withSuffix(base: string): string {
  return notIdShaped(`${base.slice(0, 56)}-${randomBase62(6).toLowerCase()}`);
}
