// The config Better Auth's CLI reads to generate the D1 schema (README.md here, "Schema"): the
// worker's options (src/options.ts) on an empty local D1 that wrangler's getPlatformProxy serves,
// so the CLI introspects D1 itself through Better Auth's built-in D1 dialect. Never deployed.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { betterAuth } from "better-auth";
import type * as Wrangler from "wrangler";
import { authOptions } from "./src/options";

// Node's own require: the CLI's loader (jiti) cannot evaluate wrangler's bundle itself.
const { getPlatformProxy } = createRequire(import.meta.url)("wrangler") as typeof Wrangler;

const persist = mkdtempSync(join(tmpdir(), "peer-better-auth-schema-"));
process.on("exit", () => rmSync(persist, { recursive: true, force: true }));
const { env } = await getPlatformProxy<{ DB: D1Database }>({ configPath: "wrangler.toml", persist: { path: persist } });
// `database: env.DB` as in the worker (src/auth.ts): Better Auth detects D1 and uses its D1 dialect.
export const auth = betterAuth({ ...authOptions, database: env.DB });
