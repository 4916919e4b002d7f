// The Better Auth configuration of the benchmark peer, shared by the worker (src/auth.ts) and the
// schema generator's config (auth.cli.ts), so the generated SQL matches what the worker runs.
import type { BetterAuthOptions } from "better-auth";
import { organization } from "better-auth/plugins";

export const authOptions = {
  emailAndPassword: { enabled: true },
  plugins: [
    organization({
      // The default (100 pending invitations per organization) would refuse the write benchmark
      // after a few hundred milliseconds; ours is configured alike (MAX_PENDING_INVITATIONS_PER_ORG).
      invitationLimit: 1_000_000,
    }),
  ],
  // The built-in limiter (on in production: 100 requests a minute per address and path) would
  // measure 429s; our product's throttles apply only to sign-in, which is not benchmarked.
  rateLimit: { enabled: false },
} satisfies BetterAuthOptions;
