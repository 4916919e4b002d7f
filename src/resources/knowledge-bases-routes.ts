import { createRoute, z } from "@hono/zod-openapi";
import { Name } from "../http/schemas";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { paginate, cursorKey } from "../lib/pagination";
import { requireScope } from "../auth/guards";
import type { KnowledgeBaseRow } from "../db/schema";
import { createKnowledgeBase, deleteKnowledgeBase, listKnowledgeBases } from "./knowledge-bases-service";

const KnowledgeBaseSchema = z
  .object({ id: z.string(), name: z.string(), is_default: z.boolean(), created_at: z.string() })
  .openapi("KnowledgeBase");

function view(r: KnowledgeBaseRow) {
  return { id: r.id, name: r.name, is_default: r.isDefault, created_at: new Date(r.createdAt).toISOString() };
}

const base = { tags: ["knowledge bases"], security: authed };
const list = createRoute({
  ...base,
  method: "get",
  path: "/admin/knowledge-bases",
  ...orgScoped,
  summary: "List knowledge-base collections (provisioning creates a default one)",
  request: { query: PageQuery },
  responses: { 200: json(pageOf(KnowledgeBaseSchema)), ...errorResponses },
});
const create = createRoute({
  ...base,
  method: "post",
  path: "/admin/knowledge-bases",
  ...orgScoped,
  summary: "Create a knowledge-base collection",
  request: { body: jsonBody(z.object({ name: Name }).strict()) },
  responses: { 201: json(KnowledgeBaseSchema, "Created"), ...errorResponses },
});
const remove = createRoute({
  ...base,
  method: "delete",
  path: "/admin/knowledge-bases/{id}",
  ...orgScoped,
  summary: "Delete a knowledge-base collection",
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});

export const knowledgeBaseRoutes = newRouter()
  .openapi(list, async (c) => {
    requireScope(c, "resources:read");
    const { limit, cursor } = c.req.valid("query");
    const before = cursorKey(cursor);
    const rows = await listKnowledgeBases(
      c.var.db,
      c.var.org.org.id,
      limit,
      typeof before === "string" ? before : null,
    );
    const page = paginate(rows, limit, (r) => [r.id]);
    return c.json({ data: page.data.map(view), next_cursor: page.next_cursor }, 200);
  })
  .openapi(create, async (c) => {
    requireScope(c, "resources:manage");
    return c.json(view(await createKnowledgeBase(c.var.db, c.var.org.org.id, c.req.valid("json").name)), 201);
  })
  .openapi(remove, async (c) => {
    requireScope(c, "resources:manage");
    await deleteKnowledgeBase(c.var.db, c.var.org.org.id, c.req.valid("param").id);
    return c.body(null, 204);
  });
