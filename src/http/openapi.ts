import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { AppError, type FieldError } from "../lib/errors";

/**
 * Every router is made here so they share one validation hook: a zod failure becomes
 * a 400 problem naming each offending field.
 */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const errors: FieldError[] = result.error.issues.map((i) => ({
          field: i.path.length > 0 ? i.path.join(".") : "(body)",
          message: i.message,
        }));
        const first = errors[0];
        throw new AppError(
          "validation_failed",
          first
            ? `Invalid ${result.target === "json" ? "body" : result.target}: ${first.field}: ${first.message}`
            : "Invalid request.",
          { errors },
        );
      }
    },
  });
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    request_id: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** A 429: the problem body, and when to come back. */
export const rateLimited = {
  ...problem("Rate limited: try again after Retry-After seconds"),
  headers: z.object({
    "retry-after": z.string().openapi({ description: "Seconds until the limit resets" }),
  }),
};

/** Standard error responses to spread into a route's `responses`. */
/** The route calls a third-party provider (Stripe, DNS, Cloudflare) that was down or too slow. */
export const providerDown = {
  ...problem("provider_unavailable: a third-party provider did not answer in time; retry after Retry-After"),
  headers: z.object({
    "retry-after": z.string().openapi({ description: "Seconds to wait before retrying" }),
  }),
};

export const errorResponses = {
  400: problem("Invalid input"),
  401: problem("Missing, invalid, expired or revoked credential"),
  403: problem("Credential lacks the scope or role"),
  404: problem("Not found or not visible to this credential"),
} as const;

export const json = <T extends z.ZodType>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** Security requirement shared by /admin routes. */
export const authed = [{ bearer: [] }];
export const orgHeader = z.object({
  "x-anyreach-org": z
    .string()
    .optional()
    .openapi({ description: "Organization id or slug (required for sessions and PATs on org-scoped routes)" }),
});
