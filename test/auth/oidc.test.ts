import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SignJWT, importJWK } from "jose";
import { call, createUser, defined, expectProblem, uniq } from "../harness";

async function idToken(
  claims: Record<string, unknown>,
  opts: { issuer?: string; audience?: string; exp?: string } = {},
) {
  const jwk = JSON.parse(env.TEST_OIDC_PRIVATE_JWK);
  const key = await importJWK(jwk, "ES256");
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: jwk.kid })
    .setIssuer(opts.issuer ?? defined(env.OIDC_ISSUER, "OIDC_ISSUER"))
    .setAudience(opts.audience ?? defined(env.OIDC_AUDIENCE, "OIDC_AUDIENCE"))
    .setSubject("external-1")
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? "5m")
    .sign(key);
}

describe("trusting an external OIDC issuer", () => {
  it("an identity is onboarded by an explicit step, never by authenticating", async () => {
    const email = `${uniq("oidc")}@corp.example`;
    const token = await idToken({ email, email_verified: true });
    // Authenticating writes nothing: the unknown identity is refused and no user appears.
    expectProblem(await call("GET", "/admin/me", { token }), 403, "onboarding_required");
    expectProblem(await call("GET", "/admin/me", { token }), 403, "onboarding_required");
    const onboarded = await call("POST", "/auth/oidc/onboard", { token });
    expect(onboarded.status).toBe(200);
    expect(onboarded.json.user.email).toBe(email);
    expect(onboarded.json.organizations).toHaveLength(1);
    expect(onboarded.json.organizations[0].roles).toEqual(["owner"]);
    const me = await call("GET", "/admin/me", { token });
    expect(me.status).toBe(200);
    expect(me.json.user.id).toBe(onboarded.json.user.id);
    // Onboarding again is a no-op, and the same identity maps to the same user next time.
    const again = await call("POST", "/auth/oidc/onboard", { token: await idToken({ email, email_verified: true }) });
    expect(again.json.user.id).toBe(me.json.user.id);
    expect(again.json.organizations).toHaveLength(1);
  });

  it("onboarding refuses our own session tokens and missing or forged tokens", async () => {
    expectProblem(await call("POST", "/auth/oidc/onboard", {}), 401, "unauthenticated");
    const email = `${uniq("oidc")}@corp.example`;
    const forged = await idToken({ email, email_verified: true }, { issuer: "https://evil.example" });
    expectProblem(await call("POST", "/auth/oidc/onboard", { token: forged }), 401, "invalid_credential");
    const { session } = await createUser();
    expectProblem(await call("POST", "/auth/oidc/onboard", { token: session }), 401, "invalid_credential");
  });

  it("refuses a wrong audience, an unverified e-mail and an expired token", async () => {
    const email = `${uniq("oidc")}@corp.example`;
    expectProblem(
      await call("GET", "/admin/me", { token: await idToken({ email }, { audience: "someone-else" }) }),
      401,
      "invalid_credential",
    );
    expectProblem(
      await call("GET", "/admin/me", { token: await idToken({ email, email_verified: false }) }),
      401,
      "invalid_credential",
    );
    expectProblem(
      await call("GET", "/admin/me", { token: await idToken({ email }, { exp: "-1m" }) }),
      401,
      "credential_expired",
    );
  });

  it("a token naming an untrusted issuer is checked as ours and refused", async () => {
    const token = await idToken({ email: "x@y.example" }, { issuer: "https://evil.example" });
    expectProblem(await call("GET", "/admin/me", { token }), 401, "invalid_credential");
  });
});
