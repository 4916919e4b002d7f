import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { generateKeyPair, exportJWK } from "jose";
// @ts-expect-error plain ESM helper shared with `npm start`
import { shellVars, testVars } from "./scripts/dev-vars.mjs";
import { fakeOutbound } from "./test/fakes/outbound.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // An external OIDC issuer for the tests: its key pair is made here, its public half
  // given to the worker as an inline JWKS, its private half to the tests only.
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "ES256" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "ES256" };
  return {
    plugins: [
      cloudflareTest({
        main: "./src/worker.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          outboundService: fakeOutbound,
          // An empty database for tests that apply the migrations step by step (test/db/migrations.test.ts).
          d1Databases: ["MIGRATIONS_DB"],
          bindings: {
            ...testVars(),
            TEST_MIGRATIONS: migrations,
            OIDC_ISSUER: "https://idp.test.example",
            OIDC_AUDIENCE: "anyreach-test",
            OIDC_JWKS: JSON.stringify({ keys: [publicJwk] }),
            TEST_OIDC_PRIVATE_JWK: JSON.stringify(privateJwk),
            // Provisioning steps can be made to fail (fault_injections table), and retries
            // come back at once so the retry and dead-letter paths run in seconds.
            FAULT_INJECTION: "enabled",
            PROVISIONING_BACKOFF_BASE_SECONDS: "0",
            // Billing stays on the local provider for every test; the Stripe tests override the env
            // (BILLING_PROVIDER, STRIPE_SECRET_KEY, STRIPE_API_BASE=http://stripe.fake.test) per call.
            // The webhook route reads these, and the local provider uses the same price ids.
            STRIPE_WEBHOOK_SECRET: "whsec_test_secret",
            STRIPE_PRICE_FREE: "price_test_free",
            STRIPE_PRICE_SMB: "price_test_smb",
            STRIPE_PRICE_AGENCY: "price_test_agency",
            // The production per-address limit (.dev.vars relaxes it for local scripts).
            SIGN_IN_STARTS_PER_ADDRESS: "30",
            // `npm run fuzz` (and FUZZ_SEED=… to replay a failure) reach the fuzz test this way.
            ...shellVars(["FUZZ_RUNS", "FUZZ_SEED", "FUZZ_TRACE"]),
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
});
