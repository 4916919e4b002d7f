import { z } from "@hono/zod-openapi";
import { Name } from "../http/schemas";
import { SCOPES } from "../auth/scopes";

/** The body creating a credential: a user's PAT here, an org API key in keys/. */
export const CreateTokenBody = z
  .object({
    name: Name,
    scopes: z.array(z.enum(SCOPES)).min(1).optional(),
    expires_at: z.number().int().positive().nullable().optional().openapi({ description: "epoch ms; null = never" }),
    expires_in_days: z.number().int().min(1).max(365).optional().openapi({ description: "preset: 1–365 days" }),
  })
  .strict();

export type CreateTokenInput = z.infer<typeof CreateTokenBody>;
