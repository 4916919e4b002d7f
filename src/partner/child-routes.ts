import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { actorOf } from "../auth/guards";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { MemberSchema, UserIdParam } from "../members/schemas";
import { handOverOwnership } from "../members/ownership";
import { confirmDeletion, deleteOrganization } from "../orgs/deletion";
import { setSuspended } from "../orgs/suspension";
import { OrganizationSchema, OwnerSchema, toOrganizationView } from "../orgs/view";
import { partnerDeletionCheck } from "./children";
import { ChildParam } from "./schemas";
import { requireBelow } from "./subtree";

/**
 * What a partner does to an org strictly below its own: hand its ownership to one of its
 * members, delete it (a leaf), suspend and resume it. Each route: `child_organizations:manage`
 * in the caller's org, the target in its subtree (else 404, like an id that does not exist)
 * and not the caller's own org (403). Every change is audited in the target's log.
 */
const tags = ["partner console"];
const P = "/admin/partner-console/organizations/{child_id}";
const common = { ...orgScoped, tags, security: authed };

const transfer = createRoute({
  method: "post",
  path: `${P}/transfer-ownership`,
  ...common,
  summary: "Hand a child owned by its parent organization to one of its members, who becomes its owner",
  description:
    "The target must be a member of the child and keeps its roles. Once a member owns it, the child's owner transfers " +
    "ownership (POST /admin/organization/transfer-ownership) and this answers 409.",
  request: { params: ChildParam, body: jsonBody(UserIdParam.strict()) },
  responses: {
    200: json(z.object({ owner: MemberSchema, previous_owner: OwnerSchema })),
    409: errorResponses[400],
    ...errorResponses,
  },
});

const remove = createRoute({
  method: "delete",
  path: P,
  ...common,
  summary: "Irreversible: delete an org of your subtree and everything it owns (409 while it has children)",
  description:
    "Send the org's current slug as confirmation. The same deletion as DELETE /admin/organization, whoever owns the org.",
  request: {
    params: ChildParam,
    body: jsonBody(
      z
        .object({ slug: z.string().min(1).max(63).openapi({ description: "The org's current slug, as confirmation" }) })
        .strict(),
    ),
  },
  responses: { 204: { description: "Deleted" }, 409: errorResponses[400], ...errorResponses },
});

const suspend = createRoute({
  method: "post",
  path: `${P}/suspend`,
  ...common,
  summary: "Suspend an org of your subtree: it still reads, but cannot start calls, invite or create API keys",
  description:
    "Its descendants are not suspended with it. 409 while it is provisioning; suspending a suspended org changes nothing.",
  request: { params: ChildParam },
  responses: { 200: json(OrganizationSchema), 409: errorResponses[400], ...errorResponses },
});

const resume = createRoute({
  method: "post",
  path: `${P}/resume`,
  ...common,
  summary: "Resume a suspended org of your subtree (it becomes active again)",
  request: { params: ChildParam },
  responses: { 200: json(OrganizationSchema), 409: errorResponses[400], ...errorResponses },
});

export const partnerChildRoutes = newRouter()
  .openapi(transfer, async (c) => {
    const { target } = await requireBelow(c, c.req.valid("param").child_id);
    return c.json(await handOverOwnership(c.var.db, target.id, c.req.valid("json").user_id, actorOf(c)), 200);
  })
  .openapi(remove, async (c) => {
    const { root, target } = await requireBelow(c, c.req.valid("param").child_id);
    confirmDeletion(target, c.req.valid("json").slug);
    const { db, lifecycle } = c.var;
    await deleteOrganization(db, lifecycle, target, actorOf(c), partnerDeletionCheck(db, root, actorOf(c)));
    c.executionCtx.waitUntil(lifecycle.afterDeletion(c.env, target));
    return c.body(null, 204);
  })
  .openapi(suspend, async (c) => {
    const { target } = await requireBelow(c, c.req.valid("param").child_id);
    return c.json(toOrganizationView(await setSuspended(c.var.db, target, true, actorOf(c))), 200);
  })
  .openapi(resume, async (c) => {
    const { target } = await requireBelow(c, c.req.valid("param").child_id);
    return c.json(toOrganizationView(await setSuspended(c.var.db, target, false, actorOf(c))), 200);
  });
