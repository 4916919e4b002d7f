import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { devDnsRecords } from "../db/schema";
import { errorResponses, json, jsonBody, newRouter } from "../http/openapi";

const DnsRecord = z
  .object({
    type: z.enum(["TXT", "CNAME", "A", "AAAA"]),
    name: z
      .string()
      .trim()
      .min(1)
      .max(253)
      .transform((n) => n.toLowerCase().replace(/\.$/, "")),
    value: z.string().max(1024).nullable().openapi({ description: "null removes the record" }),
  })
  .strict();

const setRecord = createRoute({
  method: "post",
  path: "/dev/dns",
  tags: ["development"],
  summary: "Development only: set (or, with value null, remove) what the local DNS resolver answers",
  description: "DOMAIN_PROVIDER=local reads these records when verifying custom domains. One value per type and name.",
  request: { body: jsonBody(DnsRecord) },
  responses: { 200: json(DnsRecord), 400: errorResponses[400], 404: errorResponses[404] },
});

export const devDnsRoutes = newRouter().openapi(setRecord, async (c) => {
  const { type, name, value } = c.req.valid("json");
  const db = c.var.db;
  if (value === null) {
    await db.delete(devDnsRecords).where(and(eq(devDnsRecords.type, type), eq(devDnsRecords.name, name)));
  } else {
    await db
      .insert(devDnsRecords)
      .values({ type, name, value, createdAt: Date.now() })
      .onConflictDoUpdate({ target: [devDnsRecords.type, devDnsRecords.name], set: { value, createdAt: Date.now() } });
  }
  return c.json({ type, name, value }, 200);
});
