import { createRoute, z } from "@hono/zod-openapi";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { cursorKey } from "../lib/pagination";
import { actorOf, requireAccountScope } from "../auth/guards";
import { acceptInvitation, declineInvitation, listMyInvitations } from "./account";
import { InvitationIdParam } from "./schemas";
import { InvitationSchema } from "./view";

const MyInvitationSchema = InvitationSchema.extend({
  organization: z.object({ id: z.string(), name: z.string(), slug: z.string() }).nullable(),
}).openapi("MyInvitation");

const list = createRoute({
  method: "get",
  path: "/admin/account/invitations",
  tags: ["account"],
  summary: "Pending invitations addressed to your verified e-mail",
  description: "Needs account:read (a session has it; a PAT only if created with it).",
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(MyInvitationSchema)), ...errorResponses },
});

const accept = createRoute({
  method: "post",
  path: "/admin/account/invitations/{id}/accept",
  tags: ["account"],
  summary: "Accept an invitation addressed to your verified e-mail (optionally with the link's token)",
  description:
    "Needs account_invitations:manage (a session has it; a PAT only if created with it). A PAT's power in the " +
    "organization joined is still its own scopes ∩ the role.",
  security: authed,
  request: {
    params: InvitationIdParam,
    body: {
      required: false,
      content: { "application/json": { schema: z.object({ token: z.string().max(100).optional() }).strict() } },
    },
  },
  responses: { 200: json(MyInvitationSchema), 409: errorResponses[400], 410: errorResponses[400], ...errorResponses },
});

const decline = createRoute({
  method: "post",
  path: "/admin/account/invitations/{id}/decline",
  tags: ["account"],
  summary: "Decline an invitation addressed to your verified e-mail",
  description: "Needs account_invitations:manage (a session has it; a PAT only if created with it).",
  security: authed,
  request: { params: InvitationIdParam },
  responses: { 200: json(InvitationSchema), 409: errorResponses[400], 410: errorResponses[400], ...errorResponses },
});

export const accountInvitationRoutes = newRouter()
  .openapi(list, async (c) => {
    const user = requireAccountScope(c, "account:read");
    const { limit, cursor } = c.req.valid("query");
    const before = cursorKey(cursor);
    return c.json(
      await listMyInvitations(c.var.db, user.userId, { limit, before: typeof before === "string" ? before : null }),
      200,
    );
  })
  .openapi(accept, async (c) => {
    const user = requireAccountScope(c, "account_invitations:manage");
    const token = c.req.valid("json")?.token;
    return c.json(
      await acceptInvitation(c.env, c.var.db, user.userId, c.req.valid("param").id, token, actorOf(c)),
      200,
    );
  })
  .openapi(decline, async (c) => {
    const user = requireAccountScope(c, "account_invitations:manage");
    return c.json(await declineInvitation(c.env, c.var.db, user.userId, c.req.valid("param").id, actorOf(c)), 200);
  });
