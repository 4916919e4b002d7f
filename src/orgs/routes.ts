import { createRoute, z } from "@hono/zod-openapi";
import { orgOptional, orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { AppError } from "../lib/errors";
import { actorOf, requireAccountScope, requireOwner, requireScope, requireUser } from "../auth/guards";
import { confirmDeletion, deleteOrganization } from "./deletion";
import { authorizeParent, refuseWhenOwnedByParent } from "./guards";
import { CreateOrgBody, PatchOrgBody } from "./schemas";
import { createOrganization, creatorOf, slugAvailability } from "./service";
import { updateOrganizationSettings } from "./settings";
import { OrganizationSchema, toOrganizationView } from "./view";
import { limitsOf } from "../quotas/limits";
import { requireFeature } from "../billing/features";

const availability = createRoute({
  method: "get",
  path: "/admin/organizations/slug-availability",
  ...orgOptional,
  tags: ["organizations"],
  summary: "Is this slug free to take?",
  security: authed,
  request: { query: z.object({ slug: z.string().trim().min(1).max(63).toLowerCase() }) },
  responses: {
    200: json(
      z.object({
        slug: z.string(),
        available: z.boolean(),
        reason: z.enum(["taken", "reserved", "invalid"]).nullable(),
      }),
    ),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/admin/organizations",
  ...orgOptional,
  tags: ["organizations"],
  summary: "Create an organization (the creator becomes owner; with parent_id, admin of a child)",
  description:
    "Top-level (no parent_id): a user credential with organizations:create (a session has it; a PAT only if " +
    "created with it). A child: child_organizations:manage in the caller's org, which (or an org above it) must be " +
    "on the agency or enterprise plan (else 403 plan_required). " +
    "Top-level organizations a user has created are limited (MAX_TOP_LEVEL_ORGS_PER_USER, default 10; on the free plan " +
    "MAX_FREE_ORGS_PER_USER, default 3): beyond that 403 quota_exceeded. Child organizations (parent_id) never count.",
  security: authed,
  request: { body: jsonBody(CreateOrgBody) },
  responses: {
    201: json(OrganizationSchema, "Created"),
    409: errorResponses[400],
    422: errorResponses[400],
    ...errorResponses,
  },
});

const get = createRoute({
  method: "get",
  path: "/admin/organization",
  ...orgScoped,
  tags: ["organizations"],
  summary: "The current organization",
  security: authed,
  responses: { 200: json(OrganizationSchema), ...errorResponses },
});

const patch = createRoute({
  method: "patch",
  path: "/admin/organization",
  ...orgScoped,
  tags: ["organizations"],
  summary: "Change settings (name, slug — the old one resolves for 30 days —, avatar, billing details, phone numbers)",
  description:
    "`status` is not a setting: a partner above the org suspends and resumes it. `phone_numbers` may name only the " +
    "organization's own numbers (GET /admin/phone-numbers); any other is refused with 422 unprocessable.",
  security: authed,
  request: { body: jsonBody(PatchOrgBody) },
  responses: { 200: json(OrganizationSchema), 409: errorResponses[400], 422: errorResponses[400], ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/admin/organization",
  ...orgScoped,
  tags: ["organizations"],
  summary: "Owner only, irreversible: delete the organization and everything it owns (refused while it has children)",
  description:
    "A child owned by its parent organization has no owner member: a partner deletes it from the partner console. " +
    "Send the current slug as confirmation. Memberships, API keys, invitations and every registered capability's rows go in one " +
    "batch; the org's API keys then answer 401. A PAT also needs organizations:delete. The audit log is kept.",
  security: authed,
  request: {
    body: jsonBody(
      z
        .object({
          slug: z.string().min(1).max(63).openapi({ description: "The organization's slug, as confirmation" }),
        })
        .strict(),
    ),
  },
  responses: { 204: { description: "Deleted" }, 409: errorResponses[400], ...errorResponses },
});

export const orgRoutes = newRouter()
  .openapi(availability, async (c) => {
    const { slug } = c.req.valid("query");
    const reason = await slugAvailability(c.var.db, slug);
    return c.json({ slug, available: reason === null, reason }, 200);
  })
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    if (body.parent_id) {
      await authorizeParent(c, body.parent_id);
      await requireFeature(c.var.db, body.parent_id, "client_management");
    } else if (c.var.principal.kind === "api_key") {
      throw new AppError("forbidden", "An org API key can only create child organizations (give parent_id).");
    } else {
      requireAccountScope(c, "organizations:create");
    }
    const { db, lifecycle } = c.var;
    const org = await createOrganization(
      db,
      lifecycle,
      {
        name: body.name,
        slug: body.slug || undefined,
        parentId: body.parent_id ?? null,
        billingEmail: body.billing_email ?? null,
        creatorUserId: await creatorOf(db, c.var.principal),
        // Top-level: the creator is owner. Child: the creator is added as admin (seed 004).
        creatorRoles: body.parent_id ? ["admin"] : ["owner"],
      },
      limitsOf(c.env),
    );
    c.executionCtx.waitUntil(lifecycle.afterCreation(c.env, org));
    return c.json(toOrganizationView(org), 201);
  })
  .openapi(get, async (c) => {
    requireScope(c, "organizations:read");
    return c.json(toOrganizationView(c.var.org.org), 200);
  })
  .openapi(patch, async (c) => {
    requireScope(c, "organizations:manage");
    const after = await updateOrganizationSettings(c.var.db, c.var.org.org, c.req.valid("json"), actorOf(c));
    return c.json(toOrganizationView(after), 200);
  })
  .openapi(remove, async (c) => {
    requireUser(c);
    refuseWhenOwnedByParent(c.var.org.org);
    requireOwner(c);
    requireScope(c, "organizations:delete");
    const org = c.var.org.org;
    confirmDeletion(org, c.req.valid("json").slug);
    await deleteOrganization(c.var.db, c.var.lifecycle, org, actorOf(c));
    c.executionCtx.waitUntil(c.var.lifecycle.afterDeletion(c.env, org));
    return c.body(null, 204);
  });
