import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppError, ErrorCode, FieldError } from "../lib/errors";

/** The only place a domain error code becomes an HTTP status. */
export function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case "validation_failed":
    case "malformed_json":
    case "invalid_signature":
      return 400;
    case "unauthenticated":
    case "invalid_credential":
    case "credential_expired":
    case "credential_revoked":
    case "missing_organization":
    case "invalid_code":
    case "code_expired":
      return 401;
    case "forbidden":
    case "cross_site_request":
    case "insufficient_scope":
    case "not_a_member":
    case "onboarding_required":
    case "organization_mismatch":
    case "organization_suspended":
    case "quota_exceeded":
    case "plan_required":
    case "owner_required":
    case "owner_immutable":
      return 403;
    case "insufficient_balance":
    case "trial_ended":
      return 402;
    case "not_found":
    case "not_available":
      return 404;
    case "method_not_allowed":
      return 405;
    case "conflict":
    case "slug_taken":
    case "domain_taken":
    case "already_member":
    case "has_children":
    case "invitation_not_pending":
    case "lease_expired":
    case "subscription_conflict":
      return 409;
    case "invitation_expired":
      return 410;
    case "payload_too_large":
      return 413;
    case "unsupported_media_type":
      return 415;
    case "headers_too_large":
      return 431;
    case "slug_reserved":
    case "unprocessable":
    case "contact_sales":
      return 422;
    case "too_many_attempts":
    case "concurrency_limit_reached":
    case "rate_limited":
      return 429;
    case "internal_error":
      return 500;
    case "provider_unavailable":
      return 503;
  }
}

const TITLES: Record<ErrorCode, string> = {
  validation_failed: "Validation failed",
  malformed_json: "Malformed JSON body",
  unauthenticated: "Authentication required",
  invalid_credential: "Invalid credential",
  credential_expired: "Credential expired",
  credential_revoked: "Credential revoked",
  missing_organization: "Organization required",
  forbidden: "Forbidden",
  cross_site_request: "Cross-site request refused",
  insufficient_scope: "Insufficient scope",
  not_a_member: "Not a member of this organization",
  onboarding_required: "Account not set up yet",
  organization_mismatch: "Credential belongs to another organization",
  organization_suspended: "Organization suspended",
  quota_exceeded: "Quota exceeded",
  plan_required: "Not included in the plan",
  insufficient_balance: "Balance used up",
  trial_ended: "Free trial ended",
  invalid_signature: "Invalid webhook signature",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  slug_taken: "Slug already taken",
  slug_reserved: "Slug is reserved",
  domain_taken: "Domain already taken",
  already_member: "Already a member",
  owner_required: "Owner required",
  owner_immutable: "The owner cannot be changed this way",
  has_children: "Organization has child organizations",
  invitation_not_pending: "Invitation is no longer pending",
  invitation_expired: "Invitation expired",
  invalid_code: "Invalid sign-in code",
  code_expired: "Sign-in code expired",
  too_many_attempts: "Too many attempts",
  unprocessable: "Request cannot be processed",
  concurrency_limit_reached: "Concurrency limit reached",
  lease_expired: "Call lease expired",
  subscription_conflict: "Subscription action does not apply",
  contact_sales: "Contact sales",
  rate_limited: "Too many requests",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  headers_too_large: "Request headers too large",
  not_available: "Not available",
  provider_unavailable: "Provider unavailable",
  internal_error: "Internal server error",
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
};

export function problemOf(err: AppError, requestId: string): Problem {
  return {
    type: `https://docs.anyreach.local/errors/${err.code}`,
    title: TITLES[err.code],
    status: statusOf(err.code),
    detail: err.detail ?? TITLES[err.code],
    code: err.code,
    request_id: requestId,
    ...(err.errors ? { errors: err.errors } : {}),
  };
}

export function problemResponse(err: AppError, requestId: string): Response {
  const headers = new Headers({ "content-type": "application/problem+json", "x-request-id": requestId });
  if (err.retryAfterSeconds !== undefined) headers.set("retry-after", String(err.retryAfterSeconds));
  return new Response(JSON.stringify(problemOf(err, requestId)), { status: statusOf(err.code), headers });
}
