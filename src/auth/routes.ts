import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, newRouter } from "../http/openapi";
import { runCommittedHooks } from "../orgs/service";
import { listMembershipsOfUser } from "../orgs/queries";
import { parseRoles } from "./scopes";
import { startEmailSignIn, verifyEmailSignIn } from "./email-sign-in";
import { normalizeEmail } from "./users";
import { MembershipSchema, UserSchema, toMembershipView, toUserView } from "../account/views";

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform(normalizeEmail)
  .openapi({ example: "john@acme.com" });

const start = createRoute({
  method: "post",
  path: "/auth/email/start",
  tags: ["sign-in"],
  summary: "Send a one-time sign-in code by e-mail",
  request: { body: jsonBody(z.object({ email: Email })) },
  responses: {
    202: json(z.object({ status: z.literal("sent"), expires_in: z.number() }), "Code sent"),
    400: errorResponses[400],
  },
});

const verify = createRoute({
  method: "post",
  path: "/auth/email/verify",
  tags: ["sign-in"],
  summary: "Exchange the code for a session token (first sign-in creates the user and an organization)",
  request: { body: jsonBody(z.object({ email: Email, code: z.string().regex(/^\d{6}$/, "six digits") })) },
  responses: {
    200: json(z.object({ token: z.string(), user: UserSchema, organizations: z.array(MembershipSchema) })),
    400: errorResponses[400],
    401: errorResponses[401],
    429: errorResponses[400],
  },
});

export const authRoutes = newRouter()
  .openapi(start, async (c) => {
    const { email } = c.req.valid("json");
    await startEmailSignIn(c.env, c.var.db, email);
    // Same answer whether or not the e-mail has an account: no enumeration.
    return c.json({ status: "sent" as const, expires_in: 600 }, 202);
  })
  .openapi(verify, async (c) => {
    const { email, code } = c.req.valid("json");
    const { token, user, firstOrg } = await verifyEmailSignIn(c.env, c.var.db, email, code, c.req.header("user-agent"));
    if (firstOrg) c.executionCtx.waitUntil(runCommittedHooks(c.env, firstOrg));
    const rows = await listMembershipsOfUser(c.var.db, user.id);
    return c.json(
      { token, user: toUserView(user), organizations: rows.map((r) => toMembershipView(r.org, parseRoles(r.roles))) },
      200,
    );
  });
