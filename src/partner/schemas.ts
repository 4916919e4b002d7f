import { z } from "@hono/zod-openapi";
import { PageQuery } from "../http/pagination";
import { OrganizationSchema } from "../orgs/view";

/** The org of the caller's subtree a partner-console route acts on. */
export const ChildParam = z.object({ child_id: z.string().max(64) });

export const ChildRowSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    domain: z.string().nullable(),
    domain_setup_status: z.string(),
    parent_id: z.string().nullable(),
    has_children: z.boolean().openapi({ description: "Whether expanding this row will load children" }),
  })
  .openapi("PartnerChildRow");

export const SearchHitSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    domain: z.string().nullable(),
    parent_id: z.string().nullable(),
    depth: z.number().int().openapi({ description: "1 for a direct child of your org" }),
    path: z.string().openapi({ description: "Slugs from your org down to this one, joined with ` › `" }),
  })
  .openapi("PartnerSearchHit");

export const ChildViewSchema = OrganizationSchema.extend({
  depth: z.number().int().openapi({ description: "0 for your own org, 1 for a direct child" }),
  path: z.string().openapi({ description: "Slugs from your org down to this one, joined with ` › `" }),
}).openapi("PartnerChild");

export type ChildView = z.infer<typeof ChildViewSchema>;

export const ListChildrenQuery = PageQuery.extend({
  parent_id: z.string().max(64).optional().openapi({ description: "Defaults to your org; must be in your subtree" }),
});

export type ListChildrenInput = z.infer<typeof ListChildrenQuery>;

export const SearchQuery = PageQuery.extend({
  q: z.string().trim().min(1).max(100).openapi({ description: "Case-insensitive substring of a slug or id" }),
});

export type SearchInput = z.infer<typeof SearchQuery>;

export const ChildBillingBody = z
  .object({
    billing_mode: z.enum(["own", "parent"]).openapi({
      description: "`parent`: the nearest ancestor paying its own way pays, on its plan; `own`: the child's balance",
    }),
    concurrency_limit: z.number().int().min(0).max(100_000).nullable().optional().openapi({
      description: "A cap below the payer's plan limit (above it: 422); null clears it; absent keeps it",
    }),
  })
  .strict();

export const ChildBillingSchema = z
  .object({
    billing_mode: z.enum(["own", "parent"]),
    concurrency_limit: z.number().int().nullable().openapi({ description: "The partner's cap; null: none" }),
    effective_concurrency_limit: z.number().int().openapi({ description: "The limit in force now" }),
    payer_id: z.string().openapi({ description: "The org whose balance pays this org's charges" }),
  })
  .openapi("PartnerChildBilling");
