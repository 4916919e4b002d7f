import type { D1Migration } from "cloudflare:test";
import type { Env as AppBindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppBindings {
      TEST_MIGRATIONS: D1Migration[];
      MIGRATIONS_DB: D1Database;
      TEST_OIDC_PRIVATE_JWK: string;
      FUZZ_RUNS?: string;
      FUZZ_SEED?: string;
      FUZZ_TRACE?: string;
    }
    // Types `exports.default` (the worker's fetch/queue/scheduled) in tests.
    interface GlobalProps {
      mainModule: typeof import("../src/worker");
      durableNamespaces: "OrgConcurrency" | "RateLimiter";
    }
  }
}
