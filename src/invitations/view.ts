import { z } from "@hono/zod-openapi";
import { INVITABLE_ROLES, type InvitationRow } from "../db/schema";

export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked", "expired"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(INVITABLE_ROLES),
    status: z.enum(INVITATION_STATUSES),
    expires_at: z.string(),
    send_count: z.number().int(),
    invited_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Invitation");

export type InvitationView = z.infer<typeof InvitationSchema>;

/** A stored pending invitation past its expiry reads as "expired". */
export function invitationStatus(r: Pick<InvitationRow, "status" | "expiresAt">, now = Date.now()): InvitationStatus {
  return r.status === "pending" && r.expiresAt <= now ? "expired" : r.status;
}

/** The columns a view needs; list queries select only these. */
export type InvitationViewRow = Pick<
  InvitationRow,
  "id" | "email" | "role" | "status" | "expiresAt" | "sendCount" | "invitedBy" | "createdAt" | "updatedAt"
>;

export function toInvitationView(r: InvitationViewRow): InvitationView {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    status: invitationStatus(r),
    expires_at: new Date(r.expiresAt).toISOString(),
    send_count: r.sendCount,
    invited_by: r.invitedBy,
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

/** Column names as raw SQL returns them → the drizzle row shape. */
export type RawInvitation = {
  id: string;
  org_id: string;
  email: string;
  role: InvitationRow["role"];
  status: InvitationRow["status"];
  valid_days: number;
  send_count: number;
  invited_by: string | null;
  expires_at: number;
  created_at: number;
  updated_at: number;
  responded_at: number | null;
};

export function fromRaw(r: RawInvitation): InvitationRow {
  return {
    id: r.id,
    orgId: r.org_id,
    email: r.email,
    role: r.role,
    status: r.status,
    validDays: r.valid_days,
    sendCount: r.send_count,
    invitedBy: r.invited_by,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    respondedAt: r.responded_at,
  };
}
