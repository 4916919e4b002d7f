import { isReservedSlug, SLUG_RE } from "../orgs/slug";

/**
 * The web console's own paths: its fixed pages and `/{orgSlug}/…` of any slug an org may hold.
 * API paths (/admin, /auth, /v1, /dev, …) start with a reserved word, so they are never here.
 */
export const CONSOLE_ROOTS = new Set(["sign-in", "sign-out", "new", "account"]);

/** The first path segment, lower-cased ("" for `/`). */
const firstSegment = (path: string) => (path.split("/")[1] ?? "").toLowerCase();

/** True for a slug an org may hold, so that `/{slug}/…` is a console page and nothing else. */
export const isOrgSlugSegment = (segment: string) => SLUG_RE.test(segment) && !isReservedSlug(segment);

/** The paths whose forms post `application/x-www-form-urlencoded` (http/limits.ts). */
export function isConsolePath(path: string): boolean {
  const first = firstSegment(path);
  if (first === "account") return path.startsWith("/account/invitations") || path.startsWith("/account/tokens");
  return CONSOLE_ROOTS.has(first) || isOrgSlugSegment(first);
}
