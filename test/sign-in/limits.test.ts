import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, uniq, waitFor } from "../harness";

const outbox = async (email: string): Promise<{ subject: string }[]> =>
  (await call("GET", `/dev/outbox?to=${encodeURIComponent(email)}`)).json.data;

async function start(email: string, address = "198.51.100.1") {
  return call("POST", "/auth/email/start", { body: { email }, headers: { "cf-connecting-ip": address } });
}

/** Starts a sign-in and reads the new code from the mail it sends. */
async function startAndReadCode(email: string): Promise<string> {
  const before = (await outbox(email)).length;
  expect((await start(email)).status).toBe(202);
  return waitFor(async () => {
    const mails = await outbox(email);
    return mails.length > before ? /\b(\d{6})\b/.exec(mails[0]?.subject ?? "")?.[1] : undefined;
  });
}

/** A six-digit code that is not `code`. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("sign-in limits", () => {
  it("wrong codes count per e-mail across codes: after ten, even the right code gets 429 with Retry-After", async () => {
    const email = `${uniq("guess")}@example.com`;
    for (let round = 0; round < 2; round++) {
      const code = await startAndReadCode(email);
      for (let i = 0; i < 5; i++) {
        expectProblem(
          await call("POST", "/auth/email/verify", { body: { email, code: wrong(code) } }),
          401,
          "invalid_code",
        );
      }
    }
    // A fresh code does not buy new guesses.
    const code = await startAndReadCode(email);
    const refused = await call("POST", "/auth/email/verify", { body: { email, code } });
    expectProblem(refused, 429, "too_many_attempts");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3000);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(3600);
  });

  it("a right code does not use up the budget of wrong ones", async () => {
    const email = `${uniq("right")}@example.com`;
    for (let i = 0; i < 4; i++) {
      const code = await startAndReadCode(email);
      // Two wrong and one right per code: 8 wrong in all, under the budget of 10 — and
      // 12 attempts, which would be over it if right codes counted.
      for (let j = 0; j < 2; j++) {
        expectProblem(
          await call("POST", "/auth/email/verify", { body: { email, code: wrong(code) } }),
          401,
          "invalid_code",
        );
      }
      expect((await call("POST", "/auth/email/verify", { body: { email, code } })).status).toBe(200);
    }
  });

  it("starts are limited per e-mail: the sixth in an hour gets 429 with Retry-After, another e-mail still passes", async () => {
    const email = `${uniq("bomb")}@example.com`;
    for (let i = 0; i < Number(env.SIGN_IN_STARTS_PER_EMAIL); i++) {
      expect((await start(email, `198.51.100.${10 + i}`)).status).toBe(202);
    }
    const refused = await start(email, "198.51.100.99");
    expectProblem(refused, 429, "rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await start(`${uniq("other")}@example.com`, "198.51.100.99")).status).toBe(202);
  });

  it("starts are limited per client address", async () => {
    const address = "203.0.113.7";
    const limit = Number(env.SIGN_IN_STARTS_PER_ADDRESS);
    for (let i = 0; i < limit; i++) {
      expect((await start(`${uniq("spray")}@example.com`, address)).status).toBe(202);
    }
    expectProblem(await start(`${uniq("spray")}@example.com`, address), 429, "rate_limited");
    expect((await start(`${uniq("spray")}@example.com`, "203.0.113.8")).status).toBe(202);
  });

  it("the OpenAPI document gives both sign-in routes a 429 with Retry-After", async () => {
    const doc = (await call("GET", "/openapi.json")).json;
    for (const path of ["/auth/email/start", "/auth/email/verify"]) {
      const r429 = doc.paths[path].post.responses["429"];
      expect(r429.headers["retry-after"]).toBeDefined();
    }
  });
});
