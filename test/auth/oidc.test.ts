import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SignJWT, importJWK } from "jose";
import { call, expectProblem, uniq } from "../harness";

async function idToken(
  claims: Record<string, unknown>,
  opts: { issuer?: string; audience?: string; exp?: string } = {},
) {
  const jwk = JSON.parse(env.TEST_OIDC_PRIVATE_JWK);
  const key = await importJWK(jwk, "ES256");
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: jwk.kid })
    .setIssuer(opts.issuer ?? env.OIDC_ISSUER!)
    .setAudience(opts.audience ?? env.OIDC_AUDIENCE!)
    .setSubject("external-1")
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? "5m")
    .sign(key);
}

describe("trusting an external OIDC issuer", () => {
  it("a token from the configured issuer signs the user in (first use creates user and org)", async () => {
    const email = `${uniq("oidc")}@corp.example`;
    const token = await idToken({ email, email_verified: true });
    const me = await call("GET", "/admin/me", { token });
    expect(me.status).toBe(200);
    expect(me.json.user.email).toBe(email);
    expect(me.json.organizations).toHaveLength(1);
    expect(me.json.organizations[0].roles).toEqual(["owner"]);
    // The same identity maps to the same user next time.
    const again = await call("GET", "/admin/me", { token: await idToken({ email, email_verified: true }) });
    expect(again.json.user.id).toBe(me.json.user.id);
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
