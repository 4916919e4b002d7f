import { z } from "@hono/zod-openapi";
import { ROLES } from "../auth/scopes";

/** A member as every member route answers it (the in-org ones and the partner console's). */
export const MemberSchema = z
  .object({
    user_id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    roles: z.array(z.enum(ROLES)),
    is_owner: z.boolean(),
    joined_at: z.string(),
  })
  .openapi("Member");

export type MemberView = z.infer<typeof MemberSchema>;

export const UserIdParam = z.object({ user_id: z.string().min(1).max(64) });

export const SetRolesBody = z.object({ roles: z.array(z.string().max(64)).min(1).max(20) });
