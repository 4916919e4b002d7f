import { z } from "@hono/zod-openapi";
import { DOMAIN_STATUSES } from "../db/schema";
import { iso } from "../lib/dates";
import type { DomainState } from "./service";

export const DomainBody = z
  .object({
    domain: z
      .string()
      .min(1)
      .max(300)
      .openapi({ description: "A host name you control, e.g. app.example.com (IDN allowed, stored as punycode)" }),
  })
  .strict();

export const DomainSchema = z
  .object({
    domain: z.string(),
    status: z.enum(DOMAIN_STATUSES),
    reason: z.string().nullable().openapi({ description: "Why the domain is not active (yet)" }),
    verification: z
      .array(z.object({ type: z.literal("TXT"), name: z.string(), value: z.string() }))
      .openapi({ description: "The records to create at your DNS provider" }),
    cname_target: z.string().openapi({ description: "Point the domain here with a CNAME record" }),
    checked_at: z.string().nullable(),
    next_check_at: z.string().nullable().openapi({ description: "When the cron checks again (pending, active)" }),
    activated_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("CustomDomain");

export function toDomainView(d: DomainState): z.infer<typeof DomainSchema> {
  return {
    domain: d.domain,
    status: d.status,
    reason: d.reason,
    verification: [{ type: "TXT", name: d.txtName, value: d.txtValue }],
    cname_target: d.cnameTarget,
    checked_at: iso(d.checkedAt),
    next_check_at: d.status === "failed" ? null : iso(d.nextCheckAt),
    activated_at: iso(d.activatedAt),
    created_at: iso(d.createdAt),
  };
}
