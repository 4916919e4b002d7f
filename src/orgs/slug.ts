import { randomBase62 } from "../lib/crypto";

/** Latin letters (stored lower-case), digits and hyphens; no leading/trailing hyphen. */
export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const RESERVED_SLUGS = new Set([
  "admin",
  "api",
  "app",
  "assets",
  "auth",
  "billing",
  "dashboard",
  "dev",
  "docs",
  "healthz",
  "help",
  "login",
  "logout",
  "me",
  "new",
  "null",
  "o",
  "openapi",
  "org",
  "organization",
  "organizations",
  "partner-console",
  "root",
  "settings",
  "signin",
  "signup",
  "static",
  "status",
  "support",
  "system",
  "undefined",
  "v1",
  "webhooks",
  "www",
  "anyreach",
]);

export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug);
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
  return s.length > 0 ? s : "org";
}

export function withSuffix(base: string): string {
  return `${base.slice(0, 56)}-${randomBase62(6).toLowerCase()}`;
}
