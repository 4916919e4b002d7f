import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { paginate, cursorKey } from "../lib/pagination";
import { iso } from "../lib/dates";
import { actorOf, requireOwner, requireScope } from "../auth/guards";
import { SCOPES } from "../auth/scopes";
import { CreateTokenBody } from "../account/schemas";
import {
  createApiKey,
  findApiKey,
  issuerOf,
  keepApiKey,
  listApiKeys,
  reachInOrg,
  revokeApiKey,
  type ApiKeyRow,
} from "./service";
import { limitsOf } from "../quotas/limits";

const ApiKeySchema = z
  .object({
    key_id: z.string(),
    name: z.string(),
    expires_at: z.number().nullable().openapi({ description: "epoch ms, null = never" }),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    scopes: z.array(z.enum(SCOPES)),
    created_by: z.string().nullable().openapi({ description: "The user who made the key (or whose key made it)" }),
    bound_to_creator: z.boolean().openapi({
      description: "True: the key acts with at most its creator's current power here, and none once they leave",
    }),
    kept_by: z.string().nullable().openapi({ description: "The owner who let the key outlive its creator" }),
    kept_at: z.string().nullable(),
  })
  .openapi("ApiKey");

function view(r: ApiKeyRow) {
  return {
    key_id: r.id,
    name: r.name,
    expires_at: r.expiresAt,
    created_at: iso(r.createdAt),
    last_used_at: iso(r.lastUsedAt),
    scopes: r.scopes as (typeof SCOPES)[number][],
    created_by: r.createdBy,
    bound_to_creator: r.boundToCreator && r.createdBy !== null,
    kept_by: r.keptBy,
    kept_at: iso(r.keptAt),
  };
}

const BINDING =
  "A key made by a user acts with at most that user's current power in the org: its scopes ∩ the creator's " +
  "current role scopes, so demoting the creator narrows it at once, and once the creator is removed or leaves " +
  "the key answers 401 credential_revoked. An owner can let a key outlive its creator with " +
  "POST /admin/organization-pats/{key_id}/keep; it then keeps its own scopes. A key made by a key inherits its " +
  "creator and binding. ";

const POWER =
  "A credential sees, revokes and keeps only keys within its own power here (scopes ⊆ its effective scopes, " +
  "expiry ≤ its expiry); any other is a 404.";

const create = createRoute({
  method: "post",
  path: "/admin/organization-pats",
  ...orgScoped,
  tags: ["api keys"],
  summary: "Create an org API key (ak_<id>.<secret>); the secret is shown once",
  description:
    BINDING +
    "Needs api_keys:manage. Its scopes ⊆ the caller's effective scopes here (never organizations:delete or an " +
    "account scope); a PAT or key caller caps its expiry at its own (and gives its own expiry by default). " +
    "Active keys per organization are limited (MAX_API_KEYS_PER_ORG, default 25): beyond that 403 quota_exceeded.",
  security: authed,
  request: { body: jsonBody(CreateTokenBody) },
  responses: { 201: json(ApiKeySchema.extend({ token: z.string() }), "Created"), ...errorResponses },
});

const list = createRoute({
  method: "get",
  path: "/admin/organization-pats",
  ...orgScoped,
  tags: ["api keys"],
  summary: "List the org's active API keys (never the secret), with who made each and whether it is bound to them",
  description: BINDING + POWER,
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(ApiKeySchema)), ...errorResponses },
});

const revoke = createRoute({
  method: "delete",
  path: "/admin/organization-pats/{key_id}",
  ...orgScoped,
  tags: ["api keys"],
  summary: "Revoke an org API key",
  description: POWER,
  security: authed,
  request: { params: z.object({ key_id: z.string() }) },
  responses: { 204: { description: "Revoked" }, ...errorResponses },
});

const keep = createRoute({
  method: "post",
  path: "/admin/organization-pats/{key_id}/keep",
  ...orgScoped,
  tags: ["api keys"],
  summary: "Owner only: let an org API key outlive its creator (it keeps its own scopes; audited)",
  description:
    BINDING +
    "Needs the owner role and api_keys:manage. Keeping a key that is not bound changes nothing. " +
    "A key whose creator has already left comes back to life. " +
    POWER,
  security: authed,
  request: { params: z.object({ key_id: z.string() }) },
  responses: { 200: json(ApiKeySchema), ...errorResponses },
});

export const keyRoutes = newRouter()
  .openapi(create, async (c) => {
    requireScope(c, "api_keys:manage");
    const ctx = c.var.org;
    const issuer = issuerOf(c.var.principal);
    const input = c.req.valid("json");
    const { row, token } = await createApiKey(
      c.var.db,
      ctx.org.id,
      actorOf(c),
      issuer,
      ctx.scopes,
      input,
      limitsOf(c.env),
    );
    return c.json({ ...view(row), token }, 201);
  })
  .openapi(list, async (c) => {
    requireScope(c, "api_keys:manage");
    const { limit, cursor } = c.req.valid("query");
    const before = cursorKey(cursor);
    const reach = reachInOrg(issuerOf(c.var.principal), c.var.org.scopes);
    const rows = await listApiKeys(
      c.var.db,
      c.var.org.org.id,
      reach,
      limit,
      typeof before === "string" ? before : null,
    );
    const page = paginate(rows, limit, (r) => [r.id]);
    return c.json({ data: page.data.map(view), next_cursor: page.next_cursor }, 200);
  })
  .openapi(revoke, async (c) => {
    requireScope(c, "api_keys:manage");
    const reach = reachInOrg(issuerOf(c.var.principal), c.var.org.scopes);
    await revokeApiKey(c.var.db, c.var.org.org.id, c.req.valid("param").key_id, reach, actorOf(c));
    return c.body(null, 204);
  })
  .openapi(keep, async (c) => {
    requireScope(c, "api_keys:manage");
    const { db, org } = c.var;
    const keyId = c.req.valid("param").key_id;
    const reach = reachInOrg(issuerOf(c.var.principal), org.scopes);
    // A key of another org is a 404 before anything is said about who may keep it.
    await findApiKey(db, org.org.id, keyId, reach);
    requireOwner(c);
    return c.json(view(await keepApiKey(db, org.org.id, keyId, reach, actorOf(c))), 200);
  });
