import { createRoute } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, newRouter, rateLimited } from "../http/openapi";
import { actorOf } from "../auth/guards";
import { ownOrgMount } from "../members/target-guards";
import { requireInvitationAccess } from "./guards";
import { InvitationIdParam } from "./schemas";
import { resendInvitation, revokeInvitation } from "./service";
import { invitationRoutesFor } from "./target-routes";
import { InvitationSchema } from "./view";

const tags = ["invitations"];

const shared = invitationRoutesFor({
  ...ownOrgMount,
  tags,
  docs: {
    list: { summary: "Invitations of the current organization (owners and admins), newest first" },
    create: {
      summary: "Invite an e-mail with a role; asking again for a pending e-mail resends that invitation (200)",
    },
  },
});

const resend = createRoute({
  method: "post",
  path: "/admin/invitations/{id}/resend",
  ...orgScoped,
  tags,
  summary: "Send a pending invitation again and extend its expiry (never a second invitation)",
  security: authed,
  request: { params: InvitationIdParam },
  responses: { 200: json(InvitationSchema), 409: errorResponses[400], 429: rateLimited, ...errorResponses },
});

const revoke = createRoute({
  method: "delete",
  path: "/admin/invitations/{id}",
  ...orgScoped,
  tags,
  summary: "Revoke a pending invitation",
  security: authed,
  request: { params: InvitationIdParam },
  responses: { 204: { description: "Revoked" }, 409: errorResponses[400], ...errorResponses },
});

export const invitationRoutes = newRouter()
  .route("/", shared)
  .openapi(resend, async (c) => {
    requireInvitationAccess(c);
    return c.json(await resendInvitation(c.env, c.var.db, c.var.org.org, c.req.valid("param").id, actorOf(c)), 200);
  })
  .openapi(revoke, async (c) => {
    requireInvitationAccess(c);
    await revokeInvitation(c.var.db, c.var.org.org.id, c.req.valid("param").id, actorOf(c));
    return c.body(null, 204);
  });
