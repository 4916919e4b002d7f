import { createRoute, z } from "@hono/zod-openapi";
import { desc, eq } from "drizzle-orm";
import { emailDeliveries } from "../db/schema";
import { errorResponses, json, newRouter } from "../http/openapi";
import { iso } from "../lib/dates";

const outbox = createRoute({
  method: "get",
  path: "/dev/outbox",
  tags: ["development"],
  summary: "Development only: mail the local mail adapter kept (like MailHog)",
  request: { query: z.object({ to: z.email().transform((e) => e.toLowerCase()) }) },
  responses: {
    200: json(
      z.object({
        data: z.array(z.object({ to: z.string(), subject: z.string(), body: z.string(), sent_at: z.string() })),
      }),
    ),
    404: errorResponses[404],
  },
});

export const devRoutes = newRouter().openapi(outbox, async (c) => {
  const { to } = c.req.valid("query");
  const rows = await c.var.db
    .select()
    .from(emailDeliveries)
    .where(eq(emailDeliveries.recipient, to))
    .orderBy(desc(emailDeliveries.sentAt))
    .limit(50);
  return c.json(
    {
      data: rows.map((r) => ({
        to: r.recipient,
        subject: r.subject,
        body: r.body,
        sent_at: iso(r.sentAt),
      })),
    },
    200,
  );
});
