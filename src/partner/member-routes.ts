import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { actorOf } from "../auth/guards";
import { findOrg } from "../auth/org-lookup";
import { MemberSchema, SetRolesBody, UserIdParam } from "../members/schemas";
import { listMembers, removeMember, setRoles } from "../members/service";
import { CreateInvitationBody, InvitationListQuery } from "../invitations/schemas";
import { createInvitation, listInvitations } from "../invitations/service";
import { InvitationSchema } from "../invitations/view";
import { orgNotFound, requireInSubtree } from "./subtree";

/**
 * A child's members and invitations, administered from a parent: the same services as the
 * in-org routes (/admin/members, /admin/invitations), authorised by the subtree check and
 * `child_organizations:manage` instead of membership of the child. Changes are audited in
 * the child's log with the partner's credential as the actor.
 */
const tags = ["partner console"];
const P = "/admin/partner-console/organizations/{child_id}";
const ChildParam = z.object({ child_id: z.string().max(64) });
const MemberParam = ChildParam.extend(UserIdParam.shape);

const listMembersRoute = createRoute({
  method: "get",
  path: `${P}/members`,
  ...orgScoped,
  tags,
  summary: "Members of an org in your subtree (oldest first)",
  security: authed,
  request: { params: ChildParam, query: PageQuery },
  responses: { 200: json(pageOf(MemberSchema)), ...errorResponses },
});

const putRolesRoute = createRoute({
  method: "put",
  path: `${P}/members/{user_id}/roles`,
  ...orgScoped,
  tags,
  summary: "Set a child member's roles; unrecognised role ids are dropped",
  security: authed,
  request: { params: MemberParam, body: jsonBody(SetRolesBody) },
  responses: { 200: json(MemberSchema), 409: errorResponses[400], ...errorResponses },
});

const removeMemberRoute = createRoute({
  method: "delete",
  path: `${P}/members/{user_id}`,
  ...orgScoped,
  tags,
  summary: "Remove a member from a child (never its owner); the user account stays",
  security: authed,
  request: { params: MemberParam },
  responses: { 204: { description: "Removed" }, 409: errorResponses[400], ...errorResponses },
});

const listInvitationsRoute = createRoute({
  method: "get",
  path: `${P}/invitations`,
  ...orgScoped,
  tags,
  summary: "Invitations of a child (default: pending), newest first",
  security: authed,
  request: { params: ChildParam, query: InvitationListQuery },
  responses: { 200: json(pageOf(InvitationSchema)), ...errorResponses },
});

const createInvitationRoute = createRoute({
  method: "post",
  path: `${P}/invitations`,
  ...orgScoped,
  tags,
  summary: "Invite a user to a child by e-mail; asking again for a pending e-mail resends it (200)",
  security: authed,
  request: { params: ChildParam, body: jsonBody(CreateInvitationBody) },
  responses: {
    201: json(InvitationSchema, "Invited"),
    200: json(InvitationSchema, "Resent"),
    409: errorResponses[400],
    ...errorResponses,
  },
});

export const partnerMemberRoutes = newRouter()
  .openapi(listMembersRoute, async (c) => {
    const { child_id } = c.req.valid("param");
    await requireInSubtree(c, child_id);
    return c.json(await listMembers(c.var.db, child_id, c.req.valid("query")), 200);
  })
  .openapi(putRolesRoute, async (c) => {
    const { child_id, user_id } = c.req.valid("param");
    await requireInSubtree(c, child_id);
    return c.json(await setRoles(c.var.db, child_id, user_id, c.req.valid("json").roles, actorOf(c)), 200);
  })
  .openapi(removeMemberRoute, async (c) => {
    const { child_id, user_id } = c.req.valid("param");
    await requireInSubtree(c, child_id);
    await removeMember(c.var.db, child_id, user_id, actorOf(c));
    return c.body(null, 204);
  })
  .openapi(listInvitationsRoute, async (c) => {
    const { child_id } = c.req.valid("param");
    await requireInSubtree(c, child_id);
    return c.json(await listInvitations(c.var.db, child_id, c.req.valid("query")), 200);
  })
  .openapi(createInvitationRoute, async (c) => {
    const { child_id } = c.req.valid("param");
    await requireInSubtree(c, child_id);
    const child = await findOrg(c.var.db, child_id);
    if (!child) throw orgNotFound();
    const { invitation, resent } = await createInvitation(c.env, c.var.db, child, c.req.valid("json"), actorOf(c));
    return resent ? c.json(invitation, 200) : c.json(invitation, 201);
  });
