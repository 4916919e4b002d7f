import { AppError } from "../lib/errors";

/** An org reference as a header value may carry it: no control characters, bounded. */
const ORG_REF = /^[^\p{Cc}]{1,200}$/u;

/**
 * `/v1/orgs/{org}/…` is the dashboard-style alias of `/admin/…` with the org in the path;
 * `/v1/…` aliases `/admin/…`. Both become the same request the /admin routes answer.
 * A segment that is not valid percent-encoding, or decodes to a control character (which
 * no header may hold), is the client's mistake: an AppError, never a thrown TypeError.
 */
export function rewriteAlias(req: Request): Request | AppError {
  const url = new URL(req.url);
  const m = /^\/v1\/orgs\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (m) {
    let org: string;
    try {
      org = decodeURIComponent(m[1] ?? "");
    } catch {
      return invalidOrgSegment("is not valid percent-encoding");
    }
    if (!ORG_REF.test(org)) return invalidOrgSegment("must be an organization id or slug");
    url.pathname = `/admin${m[2] ?? "/organization"}`;
    const headers = new Headers(req.headers);
    headers.set("x-anyreach-org", org);
    return new Request(url, new Request(req, { headers }));
  }
  if (url.pathname.startsWith("/v1/")) {
    url.pathname = `/admin/${url.pathname.slice(4)}`;
    return new Request(url, req);
  }
  return req;
}

function invalidOrgSegment(why: string): AppError {
  return new AppError("validation_failed", `The organization in /v1/orgs/{org}/… ${why}.`, {
    errors: [{ field: "org", message: why }],
  });
}
