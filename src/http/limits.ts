import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";

/** Documented in the README ("Security and limits"): a body above this is refused with 413 before it is read in full. */
export const MAX_BODY_BYTES = 64 * 1024;
/** All request headers together; browsers and SDKs send a few KB at most. */
export const MAX_HEADER_BYTES = 16 * 1024;

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

const FORM_MEDIA_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * Limits every request before any route reads it: oversized headers (431), a body that is
 * not JSON (415: every route of this API takes JSON; an empty one is no body) and a body above
 * MAX_BODY_BYTES (413).
 * `acceptsForm(path)` names the paths of HTML pages whose forms post url-encoded bodies (the
 * web console); they are size-limited like the rest, and no API path is among them.
 */
export function requestLimits(acceptsForm: (path: string) => boolean = () => false): MiddlewareHandler<AppEnv> {
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    },
  });
  return async (c, next) => {
    let headerBytes = 0;
    c.req.raw.headers.forEach((value, name) => {
      headerBytes += name.length + value.length + 4;
    });
    if (headerBytes > MAX_HEADER_BYTES) {
      throw new AppError("headers_too_large", `Request headers are limited to ${MAX_HEADER_BYTES} bytes in all.`);
    }
    // No content is no body: the runtime hands a bodiless POST or DELETE (curl -XPOST, fetch with
    // no body) to the worker as an empty stream with content-length: 0 and no content-type.
    if (!c.req.raw.body || c.req.header("content-length") === "0") return next();
    const type = c.req.header("content-type") ?? "";
    if (!JSON_MEDIA_TYPE.test(type) && !(FORM_MEDIA_TYPE.test(type) && acceptsForm(c.req.path))) {
      throw new AppError(
        "unsupported_media_type",
        type ? `Send the body as application/json, not ${type.slice(0, 100)}.` : "Send the body as application/json.",
      );
    }
    return limitBody(c, next);
  };
}
