import type { ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env";
import { makeDb } from "../db/client";
import { configureReadCache } from "../db/read-cache";
import { AppError } from "../lib/errors";
import { problemResponse } from "./errors";

export const newRequestId = () => `req_${crypto.randomUUID().replace(/-/g, "")}`;

/** Request id (honours an incoming X-Request-Id) and the per-request db client. */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : newRequestId();
    c.set("requestId", id);
    configureReadCache(c.env.READ_CACHE_TTL_SECONDS);
    c.set("db", makeDb(c.env.DB));
    await next();
    c.header("x-request-id", id);
    // API answers are per caller and some carry secrets (a new token, key or session):
    // no shared or browser cache may keep any of them.
    if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
  };
}

/**
 * Hono's own refusals, as our codes: its body parsing (malformed JSON, too large) and
 * zod-openapi's 415 for a route whose body is required when the request names no JSON type.
 */
const HTTP_EXCEPTIONS: Partial<Record<number, AppError>> = {
  400: new AppError("malformed_json", "The request body is not valid JSON."),
  413: new AppError("payload_too_large"),
  415: new AppError("unsupported_media_type", "Send the body as application/json."),
};

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = c.var.requestId ?? "unknown";
  if (err instanceof AppError) return problemResponse(err, requestId);
  if (err instanceof HTTPException) {
    return problemResponse(HTTP_EXCEPTIONS[err.status] ?? new AppError("internal_error"), requestId);
  }
  // Unexpected: log server-side with the request id, never send the stack to the client.
  console.error(
    JSON.stringify({ level: "error", request_id: requestId, message: String(err), stack: (err as Error)?.stack }),
  );
  return problemResponse(
    new AppError("internal_error", "An unexpected error occurred. Quote the request id to support."),
    requestId,
  );
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(
    new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`),
    c.var.requestId ?? "unknown",
  );
