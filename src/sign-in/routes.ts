import { createRoute, z } from "@hono/zod-openapi";
import { authed, errorResponses, json, jsonBody, newRouter, rateLimited } from "../http/openapi";
import { Email } from "../http/schemas";
import { AppError } from "../lib/errors";
import { listMembershipsOfUser } from "../orgs/queries";
import { parseRoles } from "../auth/scopes";
import { MembershipSchema, UserSchema, toMembershipView, toUserView } from "../account/views";
import type { Db } from "../db/client";
import type { UserRow } from "../db/schema";
import { clientOf } from "../account/security-log";
import { onboardOidcUser, signInWithEmailCode, startEmailSignIn } from "./service";

const start = createRoute({
  method: "post",
  path: "/auth/email/start",
  tags: ["sign-in"],
  summary: "Send a one-time sign-in code by e-mail",
  request: { body: jsonBody(z.object({ email: Email })) },
  responses: {
    202: json(z.object({ status: z.literal("sent"), expires_in: z.number() }), "Code sent"),
    400: errorResponses[400],
    429: rateLimited,
  },
});

const SignedInSchema = z.object({ user: UserSchema, organizations: z.array(MembershipSchema) });

const verify = createRoute({
  method: "post",
  path: "/auth/email/verify",
  tags: ["sign-in"],
  summary: "Exchange the code for a session token (first sign-in creates the user and an organization)",
  request: { body: jsonBody(z.object({ email: Email, code: z.string().regex(/^\d{6}$/, "six digits") })) },
  responses: {
    200: json(SignedInSchema.extend({ token: z.string() })),
    400: errorResponses[400],
    401: errorResponses[401],
    429: rateLimited,
  },
});

const onboardOidc = createRoute({
  method: "post",
  path: "/auth/oidc/onboard",
  tags: ["sign-in"],
  summary: "First use of an external OIDC identity: create its user and first organization",
  description:
    "Send the issuer's ID token as the bearer. Until this is called, that identity's tokens are refused on " +
    "/admin with 403 onboarding_required; calling it again changes nothing.",
  security: authed,
  responses: { 200: json(SignedInSchema), 400: errorResponses[400], 401: errorResponses[401] },
});

/** The caller's address as Cloudflare's edge (or wrangler dev) reports it; clients cannot set it there. */
function clientAddress(req: Request): string {
  return req.headers.get("cf-connecting-ip") ?? "unknown";
}

async function signedInView(db: Db, user: UserRow) {
  const rows = await listMembershipsOfUser(db, user.id);
  return { user: toUserView(user), organizations: rows.map((r) => toMembershipView(r.org, parseRoles(r.roles), user)) };
}

export const signInRoutes = newRouter()
  .openapi(start, async (c) => {
    const { email } = c.req.valid("json");
    await startEmailSignIn(c.env, c.var.db, { email, address: clientAddress(c.req.raw) });
    // Same answer whether or not the e-mail has an account: no enumeration.
    return c.json({ status: "sent" as const, expires_in: 600 }, 202);
  })
  .openapi(verify, async (c) => {
    const { email, code } = c.req.valid("json");
    const input = { email, code, requestId: c.var.requestId, client: clientOf(c.req) };
    const { token, user, firstOrg } = await signInWithEmailCode(c.env, c.var.db, c.var.lifecycle, input);
    if (firstOrg) c.executionCtx.waitUntil(c.var.lifecycle.afterCreation(c.env, firstOrg));
    return c.json({ token, ...(await signedInView(c.var.db, user)) }, 200);
  })
  .openapi(onboardOidc, async (c) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    if (!m?.[1]) throw new AppError("unauthenticated", "Send the ID token: Authorization: Bearer <token>.");
    const { user, firstOrg } = await onboardOidcUser(c.env, c.var.db, c.var.lifecycle, m[1]);
    if (firstOrg) c.executionCtx.waitUntil(c.var.lifecycle.afterCreation(c.env, firstOrg));
    return c.json(await signedInView(c.var.db, user), 200);
  });
