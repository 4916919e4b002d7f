import { z } from "@hono/zod-openapi";
import { PageQuery } from "../http/pagination";
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES } from "./log";

export const AuditQuery = PageQuery.extend({
  action: z.enum(AUDIT_ACTIONS).optional(),
  actor_id: z.string().max(64).optional().openapi({ description: "A user id, or the id of the API key / PAT used" }),
  target_type: z.enum(AUDIT_TARGET_TYPES).optional(),
  target_id: z.string().max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, inclusive" }),
  until: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, exclusive" }),
});

export type AuditFilters = z.infer<typeof AuditQuery>;
