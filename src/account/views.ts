import { z } from "@hono/zod-openapi";
import type { OrganizationRow } from "../db/schema";
import type { UserRow } from "../db/schema";
import { ROLES, type Role } from "../auth/scopes";

export const UserSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string().nullable(), created_at: z.string() })
  .openapi("User");

export const MembershipSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    status: z.string(),
    parent_id: z.string().nullable(),
    roles: z.array(z.enum(ROLES)),
  })
  .openapi("MembershipOrganization");

export function toUserView(u: UserRow) {
  return { id: u.id, email: u.email, name: u.name, created_at: new Date(u.createdAt).toISOString() };
}

export function toMembershipView(o: OrganizationRow, roles: Role[]) {
  return { id: o.id, slug: o.slug, name: o.name, status: o.status, parent_id: o.parentId, roles };
}
