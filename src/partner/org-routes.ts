import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { AppError } from "../lib/errors";
import { PageQuery, pageOf } from "../http/pagination";
import { encodeCursor, cursorKey } from "../lib/pagination";
import { findOrg } from "../auth/org-lookup";
import { readInOneTrip } from "../db/one-trip";
import {
  breadcrumbOf,
  childrenSql,
  isDescendantOfSql,
  PATH_SEPARATOR,
  searchDescendants,
  toChildRows,
  type RawChildRow,
} from "../db/tree";
import { OrganizationSchema, toOrganizationView } from "../orgs/view";
import { orgNotFound, partnerRoot } from "./subtree";

const tags = ["partner console"];

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

export const ListChildrenQuery = PageQuery.extend({
  parent_id: z.string().max(64).optional().openapi({ description: "Defaults to your org; must be in your subtree" }),
});

export const SearchQuery = PageQuery.extend({
  q: z.string().trim().min(1).max(100).openapi({ description: "Case-insensitive substring of a slug or id" }),
});

/** A cursor this router made: one string matching `re`, else a 400 (never a silent first page). */
function cursorValue(cursor: string | undefined, re: RegExp): string | null {
  if (cursor === undefined) return null;
  const v = cursorKey(cursor);
  if (typeof v !== "string" || !re.test(v)) {
    throw new AppError("validation_failed", "Invalid cursor.", {
      errors: [{ field: "cursor", message: "Pass next_cursor unchanged" }],
    });
  }
  return v;
}

const listChildren = createRoute({
  method: "get",
  path: "/admin/partner-console/organizations",
  ...orgScoped,
  tags,
  summary: "List the direct children of an org in your subtree (default: your org)",
  security: authed,
  request: { query: ListChildrenQuery },
  responses: { 200: json(pageOf(ChildRowSchema)), ...errorResponses },
});

const search = createRoute({
  method: "get",
  path: "/admin/partner-console/organizations/search",
  ...orgScoped,
  tags,
  summary: "Search your descendants by slug or id substring; each hit carries its breadcrumb",
  security: authed,
  request: { query: SearchQuery },
  responses: { 200: json(pageOf(SearchHitSchema)), ...errorResponses },
});

const view = createRoute({
  method: "get",
  path: "/admin/partner-console/organizations/{child_id}",
  ...orgScoped,
  tags,
  summary: "View one org of your subtree, with its breadcrumb",
  security: authed,
  request: { params: z.object({ child_id: z.string().max(64) }) },
  responses: { 200: json(ChildViewSchema), ...errorResponses },
});

export const partnerOrgRoutes = newRouter()
  .openapi(listChildren, async (c) => {
    const root = partnerRoot(c);
    const { parent_id, limit, cursor } = c.req.valid("query");
    const parentId = parent_id ?? root;
    const afterId = cursorValue(cursor, /^[a-z0-9_]+$/);
    // The subtree check and the read in one round trip; the rows are dropped unless it passes.
    const [inTree, rows] = await readInOneTrip<{ hit: number }, RawChildRow>(
      c.var.db,
      isDescendantOfSql(root, parentId),
      childrenSql(parentId, { limit: limit + 1, afterId }),
    );
    if (inTree.length === 0) throw orgNotFound();
    const page = toChildRows(rows.slice(0, limit));
    const last = page[page.length - 1];
    return c.json({ data: page, next_cursor: rows.length > limit && last ? encodeCursor([last.id]) : null }, 200);
  })
  .openapi(search, async (c) => {
    const root = partnerRoot(c);
    const { q, limit, cursor } = c.req.valid("query");
    const after = cursorValue(cursor, /^[a-z0-9_/]+$/);
    const hits = await searchDescendants(c.var.db, root, q, { limit: limit + 1, after });
    const page = hits.slice(0, limit);
    const last = page[page.length - 1];
    return c.json(
      {
        data: page.map(({ position: _position, ...hit }) => hit),
        next_cursor: hits.length > limit && last ? encodeCursor([last.position]) : null,
      },
      200,
    );
  })
  .openapi(view, async (c) => {
    const root = partnerRoot(c);
    const { child_id } = c.req.valid("param");
    // The walk up from the target is both the subtree check and the breadcrumb; it only
    // passes for an org id, and the org row is then usually in the per-isolate cache.
    const slugs = await breadcrumbOf(c.var.db, root, child_id);
    const row = slugs ? await findOrg(c.var.db, child_id) : null;
    if (!slugs || !row) throw orgNotFound();
    return c.json({ ...toOrganizationView(row), depth: slugs.length - 1, path: slugs.join(PATH_SEPARATOR) }, 200);
  });
