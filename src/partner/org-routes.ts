import { createRoute } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { pageOf } from "../http/pagination";
import { listChildren, searchSubtree, viewChild } from "./organizations";
import {
  ChildParam,
  ChildRowSchema,
  ChildViewSchema,
  ListChildrenQuery,
  SearchHitSchema,
  SearchQuery,
} from "./schemas";
import { partnerRoot } from "./subtree";

const tags = ["partner console"];

const listChildrenRoute = createRoute({
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
  request: { params: ChildParam },
  responses: { 200: json(ChildViewSchema), ...errorResponses },
});

export const partnerOrgRoutes = newRouter()
  .openapi(listChildrenRoute, async (c) => {
    const root = partnerRoot(c);
    return c.json(await listChildren(c.var.db, root, c.req.valid("query")), 200);
  })
  .openapi(search, async (c) => {
    const root = partnerRoot(c);
    return c.json(await searchSubtree(c.var.db, root, c.req.valid("query")), 200);
  })
  .openapi(view, async (c) => {
    const root = partnerRoot(c);
    return c.json(await viewChild(c.var.db, root, c.req.valid("param").child_id), 200);
  });
