import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { paginate, cursorKey } from "../lib/pagination";
import { requireScope } from "../auth/guards";
import type { AgentRow } from "../db/schema";
import { createAgent, deleteAgent, getAgent, listAgents, updateAgent } from "./agents-service";
import { CreateAgentBody, PatchAgentBody } from "./agents-schemas";

const AgentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    channel: z.enum(["voice", "chat"]),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Agent");

const AgentId = z.object({ id: z.string().min(1).max(64) });

function view(r: AgentRow) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    channel: r.channel,
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

const base = { tags: ["agents"], security: authed };
const list = createRoute({
  ...base,
  method: "get",
  path: "/admin/agents",
  ...orgScoped,
  summary: "List agents",
  request: { query: PageQuery },
  responses: { 200: json(pageOf(AgentSchema)), ...errorResponses },
});
const create = createRoute({
  ...base,
  method: "post",
  path: "/admin/agents",
  ...orgScoped,
  summary: "Create an agent",
  request: { body: jsonBody(CreateAgentBody) },
  responses: { 201: json(AgentSchema, "Created"), ...errorResponses },
});
const get = createRoute({
  ...base,
  method: "get",
  path: "/admin/agents/{id}",
  ...orgScoped,
  summary: "An agent",
  request: { params: AgentId },
  responses: { 200: json(AgentSchema), ...errorResponses },
});
const patch = createRoute({
  ...base,
  method: "patch",
  path: "/admin/agents/{id}",
  ...orgScoped,
  summary: "Change an agent",
  request: { params: AgentId, body: jsonBody(PatchAgentBody) },
  responses: { 200: json(AgentSchema), ...errorResponses },
});
const remove = createRoute({
  ...base,
  method: "delete",
  path: "/admin/agents/{id}",
  ...orgScoped,
  summary: "Delete an agent",
  request: { params: AgentId },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const agentRoutes = newRouter()
  .openapi(list, async (c) => {
    requireScope(c, "resources:read");
    const { limit, cursor } = c.req.valid("query");
    const before = cursorKey(cursor);
    const rows = await listAgents(c.var.db, c.var.org.org.id, limit, typeof before === "string" ? before : null);
    const page = paginate(rows, limit, (r) => [r.id]);
    return c.json({ data: page.data.map(view), next_cursor: page.next_cursor }, 200);
  })
  .openapi(create, async (c) => {
    requireScope(c, "resources:manage");
    return c.json(view(await createAgent(c.var.db, c.var.org.org.id, c.req.valid("json"))), 201);
  })
  .openapi(get, async (c) => {
    requireScope(c, "resources:read");
    return c.json(view(await getAgent(c.var.db, c.var.org.org.id, c.req.valid("param").id)), 200);
  })
  .openapi(patch, async (c) => {
    requireScope(c, "resources:manage");
    return c.json(
      view(await updateAgent(c.var.db, c.var.org.org.id, c.req.valid("param").id, c.req.valid("json"))),
      200,
    );
  })
  .openapi(remove, async (c) => {
    requireScope(c, "resources:manage");
    await deleteAgent(c.var.db, c.var.org.org.id, c.req.valid("param").id);
    return c.body(null, 204);
  });
