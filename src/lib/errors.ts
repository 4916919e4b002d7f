/**
 * The closed list of error codes this API answers with. Clients switch on `code`;
 * the HTTP status follows from it (http/errors.ts `statusOf`).
 */
export const ERROR_CODES = [
  "validation_failed",
  "malformed_json",
  "unauthenticated",
  "invalid_credential",
  "credential_expired",
  "credential_revoked",
  "missing_organization",
  "forbidden",
  "cross_site_request",
  "insufficient_scope",
  "not_a_member",
  "onboarding_required",
  "organization_mismatch",
  "organization_suspended",
  "quota_exceeded",
  "plan_required",
  "insufficient_balance",
  "trial_ended",
  "invalid_signature",
  "not_found",
  "method_not_allowed",
  "conflict",
  "slug_taken",
  "slug_reserved",
  "domain_taken",
  "already_member",
  "owner_required",
  "owner_immutable",
  "has_children",
  "invitation_not_pending",
  "invitation_expired",
  "invalid_code",
  "code_expired",
  "too_many_attempts",
  "unprocessable",
  "concurrency_limit_reached",
  "lease_expired",
  "subscription_conflict",
  "contact_sales",
  "rate_limited",
  "payload_too_large",
  "unsupported_media_type",
  "headers_too_large",
  "not_available",
  "provider_unavailable",
  "internal_error",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type FieldError = { field: string; message: string };

/**
 * The domain's one coded error: services, storage and adapters throw it with a code from the
 * list above; only `http/` knows how a code becomes a status and a problem+json body.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** For the client, in a sentence; the code's title stands in when absent. */
  readonly detail?: string;
  readonly errors?: FieldError[];
  /** When the caller may try again (rate limits, concurrency): rendered as `Retry-After`. */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, detail?: string, opts: { errors?: FieldError[]; retryAfterSeconds?: number } = {}) {
    super(detail ?? code);
    this.name = "AppError";
    this.code = code;
    this.detail = detail;
    this.errors = opts.errors;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export const notFound = (what = "Resource") => new AppError("not_found", `${what} not found.`);
