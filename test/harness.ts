import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { makeDb } from "../src/db/client";
import { and, eq } from "drizzle-orm";
import { ledgerEntries, memberships, organizations, sessions, users, type OrganizationRow } from "../src/db/schema";
import { newId } from "../src/lib/crypto";
import { signSession, SESSION_TTL_SECONDS } from "../src/auth/session-token";
import { orgLifecycle } from "../src/app";
import { createOrganization } from "../src/orgs/service";
import { limitsOf } from "../src/quotas/limits";
import { createPersonalToken } from "../src/account/tokens";
import { createApiKey } from "../src/keys/service";
import { formatRoles, scopesOfRoles, type Role, type Scope } from "../src/auth/scopes";
import type { Actor } from "../src/auth/principal";
import worker from "../src/worker";
import type { PlanId } from "../src/db/schema";
import { accountOf, bookingStatement } from "../src/billing/ledger";
import { syncOrg } from "../src/billing/sync";

export const db = () => makeDb(env.DB);

/** The org's lifecycle status as stored (provisioning, active, …), or undefined once it is gone. */
export const orgStatusOf = async (id: string) =>
  (await db().select({ status: organizations.status }).from(organizations).where(eq(organizations.id, id)))[0]?.status;

/** The usage charges booked to a payer's ledger. */
export const usageChargesOf = (payerId: string) =>
  db()
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.orgId, payerId), eq(ledgerEntries.kind, "usage_charge")));

/** The actor of changes the test set-up makes by calling services directly. */
export const SYSTEM_ACTOR: Actor = { kind: "system", userId: null, credentialId: null, requestId: null };

let seq = 0;
/** A unique suffix so tests never collide on e-mails or slugs. */
export function uniq(prefix = "t"): string {
  seq += 1;
  return `${prefix}${Date.now().toString(36)}${seq}${Math.floor(Math.random() * 1e4)}`;
}

export type CallOptions = {
  token?: string;
  org?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Variables that differ from the test configuration for this one request (e.g. a provider). */
  env?: Partial<Cloudflare.Env>;
};

/**
 * Hands a request to the worker's own fetch handler, as the runtime does. Not through
 * `exports.default.fetch`: vitest-pool-workers 0.15 wraps the entrypoint's prototype in one
 * more Proxy on every request (cloudflare/workers-sdk#15092, fixed only in releases that need
 * Node 22), so a file of thousands of requests slows down case by case and finally overflows
 * the stack.
 */
export const dispatch = (request: Request, overrides?: Partial<Cloudflare.Env>): Promise<Response> =>
  // The runtime gives an incoming request `cf` properties; a test request has none, which the handler tolerates.
  Promise.resolve(
    worker.fetch(
      request as Request<unknown, IncomingRequestCfProperties>,
      overrides ? { ...env, ...overrides } : env,
      createExecutionContext(),
    ),
  );

/** Calls the worker exactly as a client would (through its fetch handler). */
export async function call(method: string, path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.org) headers["x-anyreach-org"] = opts.org;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
  } else if (body !== undefined) headers["content-type"] ??= "application/json";
  const res = await dispatch(new Request(`http://api.test${path}`, { method, headers, body }), opts.env);
  const text = await res.text();
  // What JSON.parse gives (its lib type): each test reads the fields its route documents.
  let json: ReturnType<typeof JSON.parse> = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Asserts an RFC 9457 problem with the given status and code. */
export function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  expect({ status: res.status, code: res.json?.code }).toEqual({ status, code });
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.json).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(res.json.request_id).toMatch(/\S+/);
  expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

/** A value the test needs to exist (a row, a list item): a missing one fails the test here. */
export function defined<T>(value: T | undefined, what = "value"): T {
  if (value === undefined) throw new Error(`expected ${what} to exist`);
  return value;
}

export type TestUser = { id: string; email: string; session: string; sessionId: string };

export async function createUser(email = `${uniq("u")}@example.com`): Promise<TestUser> {
  const d = db();
  const id = newId("usr");
  const sessionId = newId("ses");
  const now = Date.now();
  await d.batch([
    d.insert(users).values({ id, email, name: null, emailVerifiedAt: now, createdAt: now }),
    d
      .insert(sessions)
      .values({ id: sessionId, userId: id, createdAt: now, expiresAt: now + SESSION_TTL_SECONDS * 1000 }),
  ]);
  const session = await signSession(env, { userId: id, sessionId, email });
  return { id, email, session, sessionId };
}

export async function createOrg(
  owner: TestUser,
  opts: { name?: string; slug?: string; parentId?: string } = {},
): Promise<OrganizationRow> {
  return createOrganization(
    db(),
    orgLifecycle,
    {
      name: opts.name ?? uniq("Org "),
      slug: opts.slug,
      parentId: opts.parentId ?? null,
      creatorUserId: owner.id,
      creatorRoles: opts.parentId ? ["admin"] : ["owner"],
    },
    limitsOf(env),
  );
}

export async function addMember(org: { id: string }, user: TestUser, roles: Role[]): Promise<void> {
  await db()
    .insert(memberships)
    .values({ orgId: org.id, userId: user.id, roles: formatRoles(roles), createdAt: Date.now() });
}

export async function createPat(
  user: TestUser,
  opts: { scopes?: Scope[]; expiresAt?: number | null } = {},
): Promise<string> {
  // Made as the user would with their session (omitted scopes: the default a session gives).
  const caller = { kind: "session" as const, userId: user.id, sessionId: user.sessionId, email: user.email };
  const { token } = await createPersonalToken(
    db(),
    caller,
    { name: "test", scopes: opts.scopes, expires_at: opts.expiresAt ?? null },
    { requestId: null, client: { ip: null, userAgent: null } },
    limitsOf(env),
  );
  return token;
}

export async function createKey(
  org: { id: string },
  opts: { scopes?: Scope[]; createdBy?: string } = {},
): Promise<{ token: string; id: string }> {
  // The test set-up makes the key, on behalf of `createdBy` when given.
  const actor: Actor = { ...SYSTEM_ACTOR, userId: opts.createdBy ?? null };
  const issuer = { createdBy: opts.createdBy ?? null, bound: true, expiresAt: null, keyId: null };
  const { row, token } = await createApiKey(
    db(),
    org.id,
    actor,
    issuer,
    scopesOfRoles(["admin"]),
    { name: "test key", scopes: opts.scopes },
    limitsOf(env),
  );
  return { token, id: row.id };
}

/** A ready tenant: an owner with a session, a PAT and an org API key. */
export async function tenant() {
  const owner = await createUser();
  const org = await createOrg(owner);
  const pat = await createPat(owner);
  const key = await createKey(org, { createdBy: owner.id });
  return { owner, org, pat, key: key.token, keyId: key.id };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Puts an org's own billing account on `plan` (active, no trial), as a completed checkout
 * would, and pushes the result to the Durable Objects of every org it pays for.
 */
export async function onPlan(orgId: string, plan: PlanId, opts: { balanceCents?: number } = {}): Promise<void> {
  await db()
    .$client.prepare(
      "UPDATE billing_accounts SET plan = ?, status = 'active', trial_ends_at = NULL, updated_at = ? WHERE org_id = ?",
    )
    .bind(plan, Date.now(), orgId)
    .run();
  if (opts.balanceCents !== undefined) {
    const account = await accountOf(db(), orgId);
    const delta = opts.balanceCents - (account?.balanceCents ?? 0);
    if (delta !== 0) {
      await db().batch([
        bookingStatement(db(), {
          orgId,
          kind: "adjustment",
          amountCents: delta,
          reference: `test:${uniq("adj")}`,
          description: "Test balance",
        }),
      ]);
    }
  }
  await syncOrg(env, db(), orgId);
}
