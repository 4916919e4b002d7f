import { z } from "@hono/zod-openapi";
import { PageQuery } from "../http/pagination";
import { Email } from "../http/schemas";
import { INVITABLE_ROLES } from "../db/schema";
import { DEFAULT_VALID_DAYS } from "./service";
import { INVITATION_STATUSES } from "./view";

export const CreateInvitationBody = z
  .object({
    email: Email,
    role: z.enum(INVITABLE_ROLES).openapi({ description: "admin, member or viewer" }),
    expires_in_days: z
      .number()
      .int()
      .min(1)
      .max(30)
      .optional()
      .openapi({ description: `1–30, default ${DEFAULT_VALID_DAYS}` }),
  })
  .strict();

export type CreateInvitationInput = z.infer<typeof CreateInvitationBody>;

export const InvitationListQuery = PageQuery.extend({
  status: z
    .enum([...INVITATION_STATUSES, "all"])
    .default("pending")
    .openapi({ description: "default pending" }),
});

export type InvitationListInput = z.infer<typeof InvitationListQuery>;

export const InvitationIdParam = z.object({ id: z.string().min(1).max(64) });
