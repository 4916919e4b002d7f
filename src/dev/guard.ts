import type { MiddlewareHandler } from "hono";
import { type AppEnv, isDevelopment } from "../env";
import { AppError } from "../lib/errors";

/** Where the development-only routes live; production has none of them. */
export const DEV_PREFIX = "/dev/";

/**
 * Mounted on /dev/* ahead of the routes: outside development a dev route answers exactly
 * like a missing route, before any validation could tell it exists.
 */
export function developmentOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isDevelopment(c.env)) throw new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`);
    return next();
  };
}

/** The OpenAPI document as production serves it: without the development routes. */
export function withoutDevRoutes<D extends { paths?: Record<string, unknown> }>(doc: D): D {
  const paths = Object.fromEntries(Object.entries(doc.paths ?? {}).filter(([p]) => !p.startsWith(DEV_PREFIX)));
  return { ...doc, paths };
}
