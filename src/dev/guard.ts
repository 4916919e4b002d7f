import { isDevelopment, type Env } from "../env";
import { AppError } from "../lib/errors";

/**
 * Development-only routes answer exactly like a missing route anywhere else: production
 * config has no such route.
 */
export function requireDevelopment(c: { env: Env; req: { method: string; path: string } }): void {
  if (!isDevelopment(c.env)) throw new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`);
}
