import { createRoute } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { actorOf } from "../auth/guards";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { MemberSchema, SetRolesBody, UserIdParam } from "./schemas";
import { listMembers, removeMember, setRoles } from "./service";
import type { Mount, MountDocs } from "./target-guards";

/**
 * List members, set roles, remove a member: one definition for every mount (target-guards.ts).
 * The guard runs first in each handler rather than as route middleware, because zod-openapi
 * runs route middleware before its validators: invalid input is a 400 before any 403/404.
 */
export function memberRoutesFor(m: Mount & MountDocs<"list" | "setRoles" | "remove">) {
  const path = `${m.prefix}/members`;
  const memberParams = m.params ? m.params.extend(UserIdParam.shape) : UserIdParam;
  const common = { ...orgScoped, tags: m.tags };

  const list = createRoute({
    method: "get",
    path,
    ...common,
    ...m.docs.list,
    security: authed,
    request: { params: m.params, query: PageQuery },
    responses: { 200: json(pageOf(MemberSchema)), ...errorResponses },
  });

  const setRolesRoute = createRoute({
    method: "put",
    path: `${path}/{user_id}/roles`,
    ...common,
    ...m.docs.setRoles,
    security: authed,
    request: { params: memberParams, body: jsonBody(SetRolesBody) },
    responses: { 200: json(MemberSchema), 409: errorResponses[400], ...errorResponses },
  });

  const remove = createRoute({
    method: "delete",
    path: `${path}/{user_id}`,
    ...common,
    ...m.docs.remove,
    security: authed,
    request: { params: memberParams },
    responses: { 204: { description: "Removed" }, 409: errorResponses[400], ...errorResponses },
  });

  return newRouter()
    .openapi(list, async (c) => {
      const org = await m.guard(c, "members:read");
      return c.json(await listMembers(c.var.db, org.id, c.req.valid("query")), 200);
    })
    .openapi(setRolesRoute, async (c) => {
      const org = await m.guard(c, "members:manage");
      const { user_id } = c.req.valid("param");
      return c.json(await setRoles(c.var.db, org.id, user_id, c.req.valid("json").roles, actorOf(c)), 200);
    })
    .openapi(remove, async (c) => {
      const org = await m.guard(c, "members:manage");
      await removeMember(c.var.db, org.id, c.req.valid("param").user_id, actorOf(c));
      return c.body(null, 204);
    });
}
