import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { actorOf, requireOwner, requireScope, requireUser } from "../auth/guards";
import { MemberSchema } from "./schemas";
import { leaveOrganization } from "./service";
import { transferOwnership } from "./ownership";
import { ownOrgMount } from "./target-guards";
import { refuseWhenOwnedByParent } from "../orgs/guards";
import { memberRoutesFor } from "./target-routes";

const tags = ["members"];

const shared = memberRoutesFor({
  ...ownOrgMount,
  tags,
  docs: {
    list: { summary: "Members of the current organization with roles and join date (oldest first)" },
    setRoles: {
      summary: "Set a member's roles; unknown role ids are dropped, the response shows what was applied",
      description:
        "`owner` can be neither given nor taken here: use transfer-ownership. The owner's roles are immutable (403 owner_immutable).",
    },
    remove: { summary: "Remove a member (never the owner); the user account stays" },
  },
});

const leave = createRoute({
  method: "post",
  path: "/admin/members/me/leave",
  ...orgScoped,
  tags,
  summary: "Leave the current organization (the owner must transfer ownership first)",
  security: authed,
  responses: { 204: { description: "Left" }, 409: errorResponses[400], ...errorResponses },
});

const transfer = createRoute({
  method: "post",
  path: "/admin/organization/transfer-ownership",
  ...orgScoped,
  tags,
  summary: "Owner only: make another member the owner; the previous owner becomes an admin",
  description:
    "The target must be a member and keeps its other roles. A child owned by its parent organization is handed to a " +
    "member from the partner console instead. A PAT also needs the owner-only scope organizations:delete. " +
    "A concurrent transfer or change of the target answers 409 and writes nothing.",
  security: authed,
  request: { body: jsonBody(z.object({ user_id: z.string().min(1).max(64) }).strict()) },
  responses: {
    200: json(z.object({ owner: MemberSchema, previous_owner: MemberSchema })),
    409: errorResponses[400],
    422: errorResponses[400],
    ...errorResponses,
  },
});

export const memberRoutes = newRouter()
  .route("/", shared)
  .openapi(leave, async (c) => {
    const user = requireUser(c);
    await leaveOrganization(c.var.db, c.var.org.org.id, user.userId, actorOf(c));
    return c.body(null, 204);
  })
  .openapi(transfer, async (c) => {
    const user = requireUser(c);
    refuseWhenOwnedByParent(c.var.org.org);
    requireOwner(c);
    // Owner-only powers (delete, transfer) also need the owner-only scope on a PAT.
    requireScope(c, "organizations:delete");
    const result = await transferOwnership(
      c.var.db,
      c.var.org.org.id,
      user.userId,
      c.req.valid("json").user_id,
      actorOf(c),
    );
    return c.json(result, 200);
  });
