import { z } from "@hono/zod-openapi";

/** The request bodies of the agent routes; the service takes what they parse to. */
export const CreateAgentBody = z
  .object({
    name: z.string().trim().min(1, "name is required").max(100),
    description: z.string().max(2000).nullable().optional(),
    channel: z.enum(["voice", "chat"]).default("voice"),
  })
  .strict();

export const PatchAgentBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(2000).nullable().optional(),
    channel: z.enum(["voice", "chat"]).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "Send at least one field to change." });

export type AgentInput = z.infer<typeof CreateAgentBody>;
export type AgentPatch = z.infer<typeof PatchAgentBody>;
