import { z } from "@hono/zod-openapi";
import { SECURITY_ACTIONS, type OrganizationRow, type SecurityLogRow, type UserRow } from "../db/schema";
import { ROLES, SCOPES, type Role, type Scope } from "../auth/scopes";
import type { SessionRow } from "./sessions";
import { iso } from "../lib/dates";
import type { PersonalTokenRow } from "./tokens";

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
    personal: z.boolean().openapi({
      description: "The organization made at the user's sign-up: their personal context (own balance, agents, charges)",
    }),
  })
  .openapi("MembershipOrganization");

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hint: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    expires_at: z.number().nullable().openapi({ description: "epoch ms, null = never" }),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("PersonalAccessToken");

export const SessionSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  user_agent: z.string().nullable(),
  current: z.boolean(),
});

export const SecurityEventSchema = z
  .object({
    id: z.string(),
    action: z.enum(SECURITY_ACTIONS),
    target_id: z.string().openapi({ description: "The PAT (pat_…) or session (ses_…) concerned" }),
    actor: z.object({
      kind: z.enum(["session", "pat", "sign_in", "system"]),
      credential_id: z.string().nullable().openapi({ description: "The session or PAT that made the change" }),
    }),
    request_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
  })
  .openapi("SecurityEvent");

export function toSecurityEventView(r: SecurityLogRow) {
  return {
    id: r.id,
    action: r.action,
    target_id: r.targetId,
    actor: { kind: r.actorKind, credential_id: r.actorCredentialId },
    request_id: r.requestId,
    ip: r.ip,
    user_agent: r.userAgent,
    details: r.details ?? null,
    created_at: iso(r.createdAt),
  };
}

export function toUserView(u: UserRow) {
  return { id: u.id, email: u.email, name: u.name, created_at: new Date(u.createdAt).toISOString() };
}

export function toMembershipView(o: OrganizationRow, roles: Role[], user: Pick<UserRow, "personalOrgId">) {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    status: o.status,
    parent_id: o.parentId,
    roles,
    personal: o.id === user.personalOrgId,
  };
}

export function toTokenView(r: PersonalTokenRow) {
  return {
    id: r.id,
    name: r.name,
    hint: r.tokenHint,
    scopes: r.scopes as Scope[],
    expires_at: r.expiresAt,
    last_used_at: iso(r.lastUsedAt),
    created_at: new Date(r.createdAt).toISOString(),
  };
}

/** `currentId`: the session making the request, if it is one. */
export function toSessionView(s: SessionRow, currentId: string | null) {
  return {
    id: s.id,
    created_at: new Date(s.createdAt).toISOString(),
    expires_at: new Date(s.expiresAt).toISOString(),
    user_agent: s.userAgent,
    current: s.id === currentId,
  };
}
