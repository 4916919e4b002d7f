import { createRoute, z } from "@hono/zod-openapi";
import { orgScoped } from "../auth/middleware";
import { authed, errorResponses, json, newRouter } from "../http/openapi";
import { SCOPES, sortScopes } from "../auth/scopes";

const myScopes = createRoute({
  method: "get",
  path: "/admin/members/me/scopes",
  ...orgScoped,
  tags: ["members"],
  summary: "The caller's effective scopes in the current organization, as a flat list",
  security: authed,
  responses: { 200: json(z.object({ scopes: z.array(z.enum(SCOPES)) })), ...errorResponses },
});

export const myScopesRoute = newRouter().openapi(myScopes, (c) =>
  c.json({ scopes: sortScopes(c.var.org.scopes) }, 200),
);
