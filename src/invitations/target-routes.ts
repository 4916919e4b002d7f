import { createRoute } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { actorOf } from "../auth/guards";
import { authed, errorResponses, json, jsonBody, newRouter, rateLimited } from "../http/openapi";
import { pageOf } from "../http/pagination";
import type { Mount, MountDocs } from "../members/target-guards";
import { CreateInvitationBody, InvitationListQuery } from "./schemas";
import { createInvitation, listInvitations } from "./service";
import { InvitationSchema } from "./view";

/**
 * List and create invitations: one definition for every mount (members/target-guards.ts), guarded
 * first thing in the handler like the member routes (see members/target-routes.ts).
 */
export function invitationRoutesFor(m: Mount & MountDocs<"list" | "create">) {
  const path = `${m.prefix}/invitations`;
  const common = { ...orgScoped, tags: m.tags };

  const list = createRoute({
    method: "get",
    path,
    ...common,
    ...m.docs.list,
    security: authed,
    request: { params: m.params, query: InvitationListQuery },
    responses: { 200: json(pageOf(InvitationSchema)), ...errorResponses },
  });

  const create = createRoute({
    method: "post",
    path,
    ...common,
    ...m.docs.create,
    security: authed,
    request: { params: m.params, body: jsonBody(CreateInvitationBody) },
    responses: {
      201: json(InvitationSchema, "Invited"),
      200: json(InvitationSchema, "Resent"),
      409: errorResponses[400],
      429: rateLimited,
      ...errorResponses,
    },
  });

  return newRouter()
    .openapi(list, async (c) => {
      const org = await m.guard(c, "invitations");
      return c.json(await listInvitations(c.var.db, org.id, c.req.valid("query")), 200);
    })
    .openapi(create, async (c) => {
      const org = await m.guard(c, "invitations");
      const { invitation, resent } = await createInvitation(c.env, c.var.db, org, c.req.valid("json"), actorOf(c));
      return resent ? c.json(invitation, 200) : c.json(invitation, 201);
    });
}
