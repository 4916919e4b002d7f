import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { call, createUser, expectProblem } from "../harness";

/** A session JWT signed with the product's own key, with claims as a test wants them. */
async function ourToken(
  user: { id: string; sessionId: string; email: string },
  claims: { aud?: string | string[]; iat?: number; nbf?: number; exp?: number | null },
) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    sid: user.sessionId,
    email: user.email,
    ...(claims.nbf !== undefined ? { nbf: claims.nbf } : {}),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(claims.aud ?? env.JWT_AUDIENCE)
    .setIssuedAt(claims.iat ?? now);
  if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? now + 600);
  return jwt.sign(new TextEncoder().encode(env.JWT_SECRET));
}

describe("session JWT claims", () => {
  it("a well-formed token of ours is accepted (the control case)", async () => {
    const user = await createUser();
    expect((await call("GET", "/admin/me", { token: await ourToken(user, {}) })).status).toBe(200);
  });

  it("a token without exp is refused", async () => {
    const user = await createUser();
    expectProblem(
      await call("GET", "/admin/me", { token: await ourToken(user, { exp: null }) }),
      401,
      "invalid_credential",
    );
  });

  it("iat or nbf in the future beyond a minute is refused; within the skew it passes", async () => {
    const user = await createUser();
    const now = Math.floor(Date.now() / 1000);
    const future = { iat: now + 3600, exp: now + 7200 };
    expectProblem(await call("GET", "/admin/me", { token: await ourToken(user, future) }), 401, "invalid_credential");
    const notYet = { nbf: now + 3600, exp: now + 7200 };
    expectProblem(await call("GET", "/admin/me", { token: await ourToken(user, notYet) }), 401, "invalid_credential");
    const skewed = { iat: now + 20, nbf: now + 20 };
    expect((await call("GET", "/admin/me", { token: await ourToken(user, skewed) })).status).toBe(200);
  });

  it("the audience must be exactly ours: an array naming us among others is refused", async () => {
    const user = await createUser();
    const shared = await ourToken(user, { aud: [env.JWT_AUDIENCE, "https://other.example"] });
    expectProblem(await call("GET", "/admin/me", { token: shared }), 401, "invalid_credential");
    const other = await ourToken(user, { aud: "https://other.example" });
    expectProblem(await call("GET", "/admin/me", { token: other }), 401, "invalid_credential");
    const single = await ourToken(user, { aud: [env.JWT_AUDIENCE] });
    expect((await call("GET", "/admin/me", { token: single })).status).toBe(200);
  });
});
