import type { MiddlewareHandler } from "hono";
import { type AppEnv, isDevelopment } from "../env";
import { AppError } from "../lib/errors";

/**
 * The local provider's pages (/billing/local/…) exist only in development with
 * BILLING_PROVIDER=local; anywhere else they answer exactly like a missing route.
 */
export function localBillingOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isDevelopment(c.env) || c.env.BILLING_PROVIDER !== "local") {
      throw new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`);
    }
    return next();
  };
}
