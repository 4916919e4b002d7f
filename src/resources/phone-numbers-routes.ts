import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { PageQuery, pageOf } from "../http/pagination";
import { paginate, cursorKey } from "../lib/pagination";
import { requireScope } from "../auth/guards";
import type { PhoneNumberRow } from "../db/schema";
import { listPhoneNumbers } from "./phone-numbers-service";

const PhoneNumberSchema = z
  .object({ id: z.string(), number: z.string(), provider: z.string(), created_at: z.string() })
  .openapi("PhoneNumber");

function view(r: PhoneNumberRow) {
  return { id: r.id, number: r.number, provider: r.provider, created_at: new Date(r.createdAt).toISOString() };
}

const list = createRoute({
  method: "get",
  path: "/admin/phone-numbers",
  ...orgScoped,
  tags: ["phone numbers"],
  summary: "Phone numbers assigned to the organization (provisioning assigns one from the pool)",
  security: authed,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(PhoneNumberSchema)), ...errorResponses },
});

export const phoneNumberRoutes = newRouter().openapi(list, async (c) => {
  requireScope(c, "resources:read");
  const { limit, cursor } = c.req.valid("query");
  const before = cursorKey(cursor);
  const rows = await listPhoneNumbers(c.var.db, c.var.org.org.id, limit, typeof before === "string" ? before : null);
  const page = paginate(rows, limit, (r) => [r.id]);
  return c.json({ data: page.data.map(view), next_cursor: page.next_cursor }, 200);
});
