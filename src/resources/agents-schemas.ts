import { z } from "@hono/zod-openapi";
import { freeText, Name } from "../http/schemas";

/** The request bodies of the agent routes; the service takes what they parse to. */
export const CreateAgentBody = z
  .object({
    name: Name,
    description: freeText(2000).nullable().optional(),
    channel: z.enum(["voice", "chat"]).default("voice"),
  })
  .strict();

export const PatchAgentBody = z
  .object({
    name: Name.optional(),
    description: freeText(2000).nullable().optional(),
    channel: z.enum(["voice", "chat"]).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "Send at least one field to change." });

export type AgentInput = z.infer<typeof CreateAgentBody>;
export type AgentPatch = z.infer<typeof PatchAgentBody>;
