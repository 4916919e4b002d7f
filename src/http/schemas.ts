import { z } from "@hono/zod-openapi";

/** Schemas more than one capability validates with. */

/** An e-mail address as the product stores it: trimmed and lower-cased. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((email) => email.toLowerCase())
  .openapi({ example: "john@acme.com" });
