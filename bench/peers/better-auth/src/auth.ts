// One Better Auth instance per isolate, on the D1 binding, as Better Auth's database docs show
// for Cloudflare D1 (`env` from "cloudflare:workers", `database: env.DB`, auto-detected).
import { env } from "cloudflare:workers";
import { betterAuth } from "better-auth";
import { authOptions } from "./options";

type PeerEnv = {
  DB: D1Database;
  BETTER_AUTH_SECRET: string;
  BETTER_AUTH_URL: string;
  JOINS?: string;
  COOKIE_CACHE?: string;
};
const e = env as unknown as PeerEnv;

export const auth = betterAuth({
  ...authOptions,
  database: e.DB,
  secret: e.BETTER_AUTH_SECRET,
  baseURL: e.BETTER_AUTH_URL,
  // Joins, which its SQLite adapter page offers for get-session, get-full-organization, …: on unless
  // `node bench/peers/run.mjs --peer-joins off` (Better Auth's default is off; README.md here).
  advanced: { database: { joins: e.JOINS !== "0" } },
  // Off by default (Better Auth's default); `node bench/peers/run.mjs --peer-cookie-cache` turns on
  // the signed session cookie cache of its performance guide.
  session: e.COOKIE_CACHE === "1" ? { cookieCache: { enabled: true, maxAge: 5 * 60 } } : {},
});
