import { createRoute } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import type { OrgContext } from "../auth/org-context";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { AppError } from "../lib/errors";
import { pageOf } from "../http/pagination";
import { actorOf } from "../auth/guards";
import { createInvitation, listInvitations, resendInvitation, revokeInvitation } from "./service";
import { CreateInvitationBody, InvitationIdParam, InvitationListQuery } from "./schemas";
import { InvitationSchema } from "./view";

/** Members see the member list but not invitations: a 403 that says so. */
export function requireInvitationAccess(c: { var: { org: OrgContext } }): void {
  if (!c.var.org.scopes.has("members:manage")) {
    throw new AppError(
      "insufficient_scope",
      "Only owners and admins can see and manage invitations (scope members:manage).",
    );
  }
}

const list = createRoute({
  method: "get",
  path: "/admin/invitations",
  ...orgScoped,
  tags: ["invitations"],
  summary: "Invitations of the current organization (owners and admins), newest first",
  security: authed,
  request: { query: InvitationListQuery },
  responses: { 200: json(pageOf(InvitationSchema)), ...errorResponses },
});

const create = createRoute({
  method: "post",
  path: "/admin/invitations",
  ...orgScoped,
  tags: ["invitations"],
  summary: "Invite an e-mail with a role; asking again for a pending e-mail resends that invitation (200)",
  security: authed,
  request: { body: jsonBody(CreateInvitationBody) },
  responses: {
    201: json(InvitationSchema, "Invited"),
    200: json(InvitationSchema, "Resent"),
    409: errorResponses[400],
    ...errorResponses,
  },
});

const resend = createRoute({
  method: "post",
  path: "/admin/invitations/{id}/resend",
  ...orgScoped,
  tags: ["invitations"],
  summary: "Send a pending invitation again and extend its expiry (never a second invitation)",
  security: authed,
  request: { params: InvitationIdParam },
  responses: { 200: json(InvitationSchema), 409: errorResponses[400], ...errorResponses },
});

const revoke = createRoute({
  method: "delete",
  path: "/admin/invitations/{id}",
  ...orgScoped,
  tags: ["invitations"],
  summary: "Revoke a pending invitation",
  security: authed,
  request: { params: InvitationIdParam },
  responses: { 204: { description: "Revoked" }, 409: errorResponses[400], ...errorResponses },
});

export const invitationRoutes = newRouter()
  .openapi(list, async (c) => {
    requireInvitationAccess(c);
    return c.json(await listInvitations(c.var.db, c.var.org.org.id, c.req.valid("query")), 200);
  })
  .openapi(create, async (c) => {
    requireInvitationAccess(c);
    const { invitation, resent } = await createInvitation(
      c.env,
      c.var.db,
      c.var.org.org,
      c.req.valid("json"),
      actorOf(c),
    );
    return resent ? c.json(invitation, 200) : c.json(invitation, 201);
  })
  .openapi(resend, async (c) => {
    requireInvitationAccess(c);
    return c.json(await resendInvitation(c.env, c.var.db, c.var.org.org, c.req.valid("param").id, actorOf(c)), 200);
  })
  .openapi(revoke, async (c) => {
    requireInvitationAccess(c);
    await revokeInvitation(c.var.db, c.var.org.org.id, c.req.valid("param").id, actorOf(c));
    return c.body(null, 204);
  });
