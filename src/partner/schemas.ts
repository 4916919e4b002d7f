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
