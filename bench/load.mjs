// Mixed, stateful load: many clients at once across many organizations, then invariant checks
// through the API. Unlike the other benchmarks (autocannon on one route), every client is a
// signed-in user looping over a weighted random mix of operations against an org it belongs to:
// reads, member and role changes, invitations, API keys, calls (start / heartbeat / end), usage
// events and top-ups. Afterwards, once the usage queue has drained, it checks that nothing was
// lost or doubled: usage totals, the ledger against the balance, one owner per org, no lease left,
// no duplicate pending invitation.
//
//   npm run bench:load                      # 50 clients for 60 s across 100 orgs
//   node bench/load.mjs --duration 20 --clients 20 [--orgs 100] [--pool 150]
//
// Starts its own `wrangler dev` on 127.0.0.1:8783 (fresh temporary D1; wrangler's output in
// bench/results/load-wrangler.log), seeds through the API only, prints a table per operation and
// each check PASS/FAIL, and writes the same report to bench/results/load-<date>.md. Exits non-zero
// on any 5xx, network error, unexpected refusal, illegal change accepted, or failed check.
// Throughput is noisy on a shared 2-core machine; the checks are exact.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startServer } from "./lib.mjs";

const { values: argv } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    clients: { type: "string", default: "50" },
    orgs: { type: "string", default: "100" },
    pool: { type: "string", default: "150" },
  },
});
const DURATION_S = Number(argv.duration);
const CLIENTS = Number(argv.clients);
const ORGS = Number(argv.orgs);
const POOL = Number(argv.pool);
const PORT = 8783;
const REQUEST_TIMEOUT_MS = 30_000;
const SEED_BALANCE_CENTS = 100_000;
const DRAIN_TIMEOUT_MS = 120_000;
const RUN = Date.now().toString(36);
/** Cents per started minute (src/billing/plans.ts): what each voice/chat record must be charged. */
const RATES = { free: { voice: 12, chat: 2 }, smb: { voice: 10, chat: 2 } };
const LIMITS = { free: 1, smb: 5 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = (n) => Math.floor(Math.random() * n);
const between = (lo, hi) => lo + rand(hi - lo + 1);
const pick = (xs) => xs[rand(xs.length)];
const progress = (msg) => process.stderr.write(`[load] ${msg}\n`);

/** Runs `fn` over `items`, at most `n` at a time. */
async function pmap(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

let BASE;

function headersOf({ token, org, body }) {
  const h = {};
  if (body !== undefined) h["content-type"] = "application/json";
  if (token) h.authorization = `Bearer ${token}`;
  if (org) h["x-anyreach-org"] = org;
  return h;
}

/**
 * wrangler dev's own proxy (not the worker) answers this 503 when its pooled connection to the
 * worker's runtime was being closed for idleness just as it wrote the request into it: the two
 * 5 s keep-alive timers of kj collide (cloudflare/workers-sdk#14641, #15252). The worker never
 * saw the request, and the message asks for it to be sent again, so it is, once, and counted.
 * Were the request ever applied twice, the invariant checks would show it.
 */
const DEV_PROXY_503 = "Your worker restarted mid-request";
const devProxy = { resent: 0, byLabel: new Map() };

async function send(method, path, opts = {}, label = `${method} ${path}`) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(BASE + path, {
      method,
      headers: headersOf(opts),
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.status === 503 && text.startsWith(DEV_PROXY_503) && attempt === 1) {
      devProxy.resent++;
      devProxy.byLabel.set(label, (devProxy.byLabel.get(label) ?? 0) + 1);
      continue;
    }
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, json, text };
  }
}

/** Seeding and checks: anything but a 2xx is an error (GETs are retried on a network error). */
async function api(method, path, opts = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await send(method, path, opts);
      if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${r.text.slice(0, 300)}`);
      return r.json;
    } catch (err) {
      if (attempt >= 3 || method !== "GET" || String(err.message).includes("→")) throw err;
      await sleep(500);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement: per operation label, latency samples and the status of every answer.

const stats = new Map();
const problems = []; // 5xx, network errors, unexpected 4xx, illegal changes accepted
const MAX_PRINTED = 8;

function statOf(label) {
  let s = stats.get(label);
  if (!s) {
    s = { label, lat: [], ok: 0, refused: new Map(), s5xx: 0, net: 0, unexpected: 0 };
    stats.set(label, s);
  }
  return s;
}

function problem(kind, label, method, path, status, body) {
  problems.push({ kind, label, method, path, status, body: String(body).slice(0, 600) });
  if (problems.length <= MAX_PRINTED) progress(`${kind}: ${method} ${path} → ${status} ${String(body).slice(0, 300)}`);
}

/**
 * One measured request. `expect` lists the refusals this operation may meet under concurrency
 * ("429 concurrency_limit_reached", …); any other 4xx is unexpected. With `mustRefuse`, a 2xx is
 * an illegal change the API accepted.
 */
async function op(label, method, path, { expect = [], mustRefuse = false, ...opts } = {}) {
  const s = statOf(label);
  const t0 = performance.now();
  let r;
  try {
    r = await send(method, path, opts, label);
  } catch (err) {
    s.net++;
    problem("network error", label, method, path, "-", err?.cause?.message ?? err?.message ?? err);
    return { status: 0, json: null };
  }
  s.lat.push(performance.now() - t0);
  if (r.status < 400) {
    s.ok++;
    if (mustRefuse) problem("illegal change accepted", label, method, path, r.status, r.text);
  } else if (r.status >= 500) {
    s.s5xx++;
    problem("5xx", label, method, path, r.status, r.text);
  } else {
    const key = `${r.status} ${r.json?.code ?? "?"}`;
    if (expect.includes(key)) s.refused.set(key, (s.refused.get(key) ?? 0) + 1);
    else {
      s.unexpected++;
      problem("unexpected 4xx", label, method, path, r.status, r.text);
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Seeding, through the API only.

async function signIn(email) {
  const outbox = `/dev/outbox?to=${encodeURIComponent(email)}`;
  const before = (await api("GET", outbox)).data.length;
  await api("POST", "/auth/email/start", { body: { email } });
  for (let i = 0; i < 300; i++) {
    const mails = (await api("GET", outbox)).data;
    if (mails.length > before) {
      const code = /\b(\d{6})\b/.exec(mails[0].subject)[1];
      const r = await api("POST", "/auth/email/verify", { body: { email, code } });
      return { email, userId: r.user.id, token: r.token };
    }
    await sleep(250);
  }
  throw new Error(`no sign-in mail for ${email}`);
}

async function waitFor(what, fn, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A local Checkout page's path, paid as its "Pay" button does (it is on this server, whatever APP_URL says). */
const payPath = (url) => new URL(url).pathname;

async function seed() {
  progress(`signing in ${CLIENTS} client users and ${POOL} pool users`);
  const actors = await pmap(
    Array.from({ length: CLIENTS }, (_, i) => `load-${RUN}-c${i}@example.com`),
    20,
    signIn,
  );
  const pool = await pmap(
    Array.from({ length: POOL }, (_, i) => `load-${RUN}-p${i}@example.com`),
    20,
    signIn,
  );
  for (const [i, a] of actors.entries()) Object.assign(a, { idx: i, orgs: [] });

  progress(`creating ${ORGS} organizations`);
  const orgs = await pmap(
    Array.from({ length: ORGS }, (_, k) => k),
    10,
    async (k) => {
      const owner = actors[k % CLIENTS];
      const created = await api("POST", "/admin/organizations", { token: owner.token, body: { name: `Load ${k}` } });
      const as = { token: owner.token, org: created.id };
      await waitFor(`org ${created.id} active`, async () => {
        const p = await api("GET", "/admin/organization/provisioning", as);
        if (p.status === "provisioning_failed") throw new Error(`provisioning failed: ${p.failure_reason}`);
        return p.status === "active";
      });
      const key = await api("POST", "/admin/organization-pats", { ...as, body: { name: "load primary" } });
      const plan = k % 2 === 0 ? "smb" : "free";
      if (plan === "smb") {
        const { url } = await api("POST", "/admin/billing/checkout", { ...as, body: { plan: "smb" } });
        await api("POST", payPath(url), { body: {} });
      }
      const { url } = await api("POST", "/admin/billing/top-ups", {
        ...as,
        body: { amount_cents: SEED_BALANCE_CENTS },
      });
      await api("POST", payPath(url), { body: {} });
      await waitFor(`org ${created.id} funded on ${plan}`, async () => {
        const b = await api("GET", "/admin/billing", as);
        const c = await api("GET", "/admin/concurrency", as);
        return b.plan === plan && b.balance.amount_cents >= SEED_BALANCE_CENTS && c.limit === LIMITS[plan];
      });
      return {
        idx: k,
        id: created.id,
        slug: created.slug,
        plan,
        owner,
        admin: null,
        key: key.token,
        members: new Map(), // pool user id → role, as the clients last saw it
        pendingPool: new Set(), // pool users with an invitation in flight
        busy: new Set(), // members a client is changing right now (one change per member at a time)
        pendingUnique: new Map(), // invitation id → e-mail (never accepted)
        keys: [], // API keys made during the run
        baseBalance: 0,
        expected: {
          voice_calls: 0,
          chat_calls: 0,
          inbound_calls: 0,
          outbound_calls: 0,
          workflow_runs_total: 0,
          workflow_runs_success: 0,
          workflow_runs_failed: 0,
          voiceMs: 0,
          chatMs: 0,
          charges: 0,
          chargeCents: 0,
          topUpCents: 0,
          events: 0,
          calls: 0,
        },
      };
    },
  );

  progress("adding an admin client and a pool member to every organization (invitation + accept)");
  await pmap(orgs, 10, async (o) => {
    o.owner.orgs.push(o);
    const as = { token: o.owner.token, org: o.id };
    if (CLIENTS > 1) {
      const admin = actors[(o.idx + 1) % CLIENTS];
      const inv = await api("POST", "/admin/invitations", { ...as, body: { email: admin.email, role: "admin" } });
      await api("POST", `/admin/account/invitations/${inv.id}/accept`, { token: admin.token });
      o.admin = admin;
      admin.orgs.push(o);
    }
    const p = pool[o.idx % POOL];
    const inv = await api("POST", "/admin/invitations", { ...as, body: { email: p.email, role: "member" } });
    await api("POST", `/admin/account/invitations/${inv.id}/accept`, { token: p.token });
    o.members.set(p.userId, "member");
  });

  // Every balance from here on must be this plus the run's top-ups minus its charges.
  await pmap(orgs, 10, async (o) => {
    o.baseBalance = (await api("GET", "/admin/billing", { token: o.key })).balance.amount_cents;
  });
  return { actors, pool, orgs };
}

// ---------------------------------------------------------------------------------------------
// The clients.

let seq = 0;
const races = { pairs: 0, oneCreatedOneResent: 0, duplicates: 0, other: 0 };
const exclusive = new Map(); // race kind → { n, oneWon }

/** An exclusive race: exactly one of its two requests may succeed (none: its effect was lost; two: doubled). */
function raceOutcome(kind, won, rs) {
  const r = exclusive.get(kind) ?? { n: 0, oneWon: 0 };
  r.n++;
  if (won === 1) r.oneWon++;
  else if (!rs.some((x) => x.status === 0 || x.status >= 500))
    problem(
      `race ${kind}: ${won} won`,
      kind,
      "-",
      "-",
      rs.map((x) => x.status).join(","),
      rs.map((x) => x.text).join(" | "),
    );
  exclusive.set(kind, r);
}

function tallyCall(o, channel, direction, ms) {
  const e = o.expected;
  e.calls++;
  if (channel === "voice") {
    e.voice_calls++;
    e.voiceMs += ms;
  } else {
    e.chat_calls++;
    e.chatMs += ms;
  }
  if (direction === "inbound") e.inbound_calls++;
  else e.outbound_calls++;
  if (ms > 0) {
    e.charges++;
    e.chargeCents += Math.ceil(ms / 60_000) * RATES[o.plan][channel];
  }
}

function tallyEvent(o, ev) {
  const e = o.expected;
  e.events++;
  if (ev.kind === "workflow_run") {
    e.workflow_runs_total++;
    if (ev.outcome === "success") e.workflow_runs_success++;
    else e.workflow_runs_failed++;
    return;
  }
  const ms = Math.round(ev.duration_seconds * 1000);
  e.chat_calls++;
  e.chatMs += ms;
  if (ev.direction === "inbound") e.inbound_calls++;
  else e.outbound_calls++;
  if (ms > 0) {
    e.charges++;
    e.chargeCents += Math.ceil(ms / 60_000) * RATES[o.plan].chat;
  }
}

/** A pool member of `o` no other client is changing, marked busy until the caller lets go of it. */
function claimMember(o) {
  const m = pick([...o.members.keys()].filter((id) => !o.busy.has(id)));
  if (m) o.busy.add(m);
  return m;
}

/** Calls and usage go with the org's API key or the client's own session, half and half. */
const dialer = (a, o) => (Math.random() < 0.5 ? { token: o.key } : { token: a.token, org: o.id });
const session = (a, o) => ({ token: a.token, org: o.id });

function makeClient(a, pool, deadline) {
  const ctx = { open: [], lastBatch: null, failedEnds: [] };

  async function endCall(c) {
    ctx.open.splice(ctx.open.indexOf(c), 1);
    const r = await op("POST /admin/calls/{id}/end", "POST", `/admin/calls/${c.id}/end`, dialer(a, c.org));
    if (r.status === 200) {
      tallyCall(c.org, c.channel, c.direction, Date.parse(r.json.ended_at) - Date.parse(r.json.started_at));
      if (r.json.end_reason !== "completed") problem("lease lost", "call end", "POST", c.id, 200, r.text);
    } else if (r.status === 0 || r.status >= 500) ctx.failedEnds.push(c);
  }

  /** Invites a pool user who is not a member (nor being invited) with a random role, then runs `then`. */
  async function withInvitedPoolUser(o, then) {
    const p = pick(pool.filter((u) => !o.members.has(u.userId) && !o.pendingPool.has(u.userId)));
    if (!p) return false;
    o.pendingPool.add(p.userId);
    try {
      const role = pick(["admin", "member", "viewer"]);
      const inv = await op("POST /admin/invitations (member)", "POST", "/admin/invitations", {
        ...session(a, o),
        body: { email: p.email, role },
        expect: ["429 rate_limited", "403 quota_exceeded"],
      });
      if (inv.status === 201 || inv.status === 200) await then(p, inv.json, role);
    } finally {
      o.pendingPool.delete(p.userId);
    }
  }

  async function heartbeat(c) {
    const r = await op("POST /admin/calls/{id}/heartbeat", "POST", `/admin/calls/${c.id}/heartbeat`, dialer(a, c.org));
    if (r.status === 200) c.beat = Date.now();
  }

  const ops = {
    // Reads.
    me: [5, () => op("GET /admin/me", "GET", "/admin/me", { token: a.token })],
    members: [5, (o) => op("GET /admin/members", "GET", "/admin/members?limit=50", session(a, o))],
    org: [5, (o) => op("GET /admin/organization", "GET", "/admin/organization", session(a, o))],
    usage: [4, (o) => op("GET /admin/usage/summary", "GET", "/admin/usage/summary", session(a, o))],
    billing: [4, (o) => op("GET /admin/billing", "GET", "/admin/billing", dialer(a, o))],
    concurrency: [4, (o) => op("GET /admin/concurrency", "GET", "/admin/concurrency", dialer(a, o))],
    ledger: [2, (o) => op("GET /admin/billing/ledger", "GET", "/admin/billing/ledger?limit=25", session(a, o))],
    orgWithNewKey: [
      2,
      async (o) => {
        const k = pick(o.keys);
        if (!k) return false;
        // A key revoked by another client while this request is on its way answers 401.
        await op("GET /admin/organization (new ak_)", "GET", "/admin/organization", {
          token: k.token,
          expect: ["401 credential_revoked", "401 invalid_credential"],
        });
      },
    ],

    // Members and roles (only pool users are ever changed; the clients' own memberships stay).
    invite: [
      4,
      (o) =>
        withInvitedPoolUser(o, async (p, inv, role) => {
          const acc = await op(
            "POST /admin/account/invitations/{id}/accept",
            "POST",
            `/admin/account/invitations/${inv.id}/accept`,
            { token: p.token },
          );
          if (acc.status === 200) o.members.set(p.userId, role);
        }),
    ],
    // Deliberate races on one invitation or member: exactly one side may win, and the winner's effect must stick.
    race: [
      2,
      (o) => {
        const kind = pick(["accept ×2", "accept vs revoke", "remove ×2"]);
        if (kind === "remove ×2") {
          const m = claimMember(o);
          if (!m) return false;
          const remove = () =>
            op("DELETE /admin/members/{id} (race)", "DELETE", `/admin/members/${m}`, {
              ...session(a, o),
              expect: ["404 not_found", "409 conflict"],
            });
          return Promise.all([remove(), remove()])
            .then((rs) => {
              const won = rs.filter((r) => r.status === 204).length;
              if (won > 0) o.members.delete(m);
              raceOutcome(kind, won, rs);
            })
            .finally(() => o.busy.delete(m));
        }
        return withInvitedPoolUser(o, async (p, inv, role) => {
          const accept = () =>
            op(
              "POST /admin/account/invitations/{id}/accept (race)",
              "POST",
              `/admin/account/invitations/${inv.id}/accept`,
              {
                token: p.token,
                expect: ["409 invitation_not_pending", "409 conflict"],
              },
            );
          const revoke = () =>
            op("DELETE /admin/invitations/{id} (race)", "DELETE", `/admin/invitations/${inv.id}`, {
              ...session(a, o),
              expect: ["409 invitation_not_pending"],
            });
          const rs = await Promise.all(kind === "accept ×2" ? [accept(), accept()] : [accept(), revoke()]);
          if (rs[0].status === 200 || (kind === "accept ×2" && rs[1].status === 200)) o.members.set(p.userId, role);
          raceOutcome(kind, rs.filter((r) => r.status === 200 || r.status === 204).length, rs);
        });
      },
    ],
    setRole: [
      4,
      async (o) => {
        const userId = claimMember(o);
        if (!userId) return false;
        const next = o.members.get(userId) === "admin" ? "member" : "admin";
        try {
          const r = await op("PUT /admin/members/{id}/roles", "PUT", `/admin/members/${userId}/roles`, {
            ...session(a, o),
            body: { roles: [next] },
          });
          if (r.status === 200) o.members.set(userId, next);
        } finally {
          o.busy.delete(userId);
        }
      },
    ],
    remove: [
      2,
      async (o) => {
        const m = claimMember(o);
        if (!m) return false;
        try {
          const r = await op("DELETE /admin/members/{id}", "DELETE", `/admin/members/${m}`, session(a, o));
          if (r.status === 204) o.members.delete(m);
        } finally {
          o.busy.delete(m);
        }
      },
    ],
    ownerProbe: [
      1,
      async (o) => {
        // Illegal owner changes: each must be refused, whoever asks.
        const owner = o.owner.userId;
        const probes = [
          () =>
            op("PUT owner's roles (refused)", "PUT", `/admin/members/${owner}/roles`, {
              ...session(a, o),
              body: { roles: ["member"] },
              expect: ["403 owner_immutable"],
              mustRefuse: true,
            }),
          () =>
            op("DELETE owner (refused)", "DELETE", `/admin/members/${owner}`, {
              ...session(a, o),
              expect: ["403 owner_immutable"],
              mustRefuse: true,
            }),
          () => {
            const m = pick([...o.members.keys()]);
            return m
              ? op("PUT roles [owner] (refused)", "PUT", `/admin/members/${m}/roles`, {
                  ...session(a, o),
                  body: { roles: ["owner"] },
                  expect: ["403 owner_immutable"],
                  mustRefuse: true,
                })
              : false;
          },
          () =>
            op("POST invitation as owner (refused)", "POST", "/admin/invitations", {
              ...session(a, o),
              body: { email: `owner-${RUN}-${seq++}@example.com`, role: "owner" },
              expect: ["400 validation_failed"],
              mustRefuse: true,
            }),
          () =>
            a === o.owner
              ? op("owner leaves (refused)", "POST", "/admin/members/me/leave", {
                  ...session(a, o),
                  expect: ["403 owner_immutable"],
                  mustRefuse: true,
                })
              : op("admin takes ownership (refused)", "POST", "/admin/organization/transfer-ownership", {
                  ...session(a, o),
                  body: { user_id: a.userId },
                  expect: ["403 owner_required"],
                  mustRefuse: true,
                }),
        ];
        return pick(probes)();
      },
    ],

    // Invitations to addresses nobody accepts: create (sometimes twice at once), revoke, resend.
    inviteUnique: [
      3,
      async (o) => {
        const email = `inv-${RUN}-${seq++}@example.com`;
        const create = () =>
          op("POST /admin/invitations (new e-mail)", "POST", "/admin/invitations", {
            ...session(a, o),
            body: { email, role: pick(["admin", "member", "viewer"]) },
            expect: ["403 quota_exceeded", "429 rate_limited"],
          });
        if (Math.random() < 0.2) {
          // The same new e-mail twice at once: one invitation, created once and resent once.
          const [x, y] = await Promise.all([create(), create()]);
          const st = [x.status, y.status].sort().join(",");
          races.pairs++;
          if (st === "200,201" && x.json.id === y.json.id) races.oneCreatedOneResent++;
          else if (st === "201,201") {
            races.duplicates++;
            problem("duplicate invitation", "POST /admin/invitations ×2", "POST", email, st, `${x.text} | ${y.text}`);
          } else races.other++;
          for (const r of [x, y]) if (r.status === 201 || r.status === 200) o.pendingUnique.set(r.json.id, email);
          return;
        }
        const r = await create();
        if (r.status === 201 || r.status === 200) o.pendingUnique.set(r.json.id, email);
      },
    ],
    revoke: [
      2,
      async (o) => {
        const id = pick([...o.pendingUnique.keys()]);
        if (!id) return false;
        o.pendingUnique.delete(id);
        await op("DELETE /admin/invitations/{id}", "DELETE", `/admin/invitations/${id}`, {
          ...session(a, o),
          expect: ["409 invitation_not_pending"],
        });
      },
    ],
    resend: [
      1,
      async (o) => {
        const id = pick([...o.pendingUnique.keys()]);
        if (!id) return false;
        await op("POST /admin/invitations/{id}/resend", "POST", `/admin/invitations/${id}/resend`, {
          ...session(a, o),
          expect: ["409 invitation_not_pending", "429 rate_limited", "403 quota_exceeded"],
        });
      },
    ],

    // API keys: create; past eight of the run's keys in an org, revoke the oldest.
    apiKey: [
      2,
      async (o) => {
        const r = await op("POST /admin/organization-pats", "POST", "/admin/organization-pats", {
          ...session(a, o),
          body: { name: `load ${seq++}`, expires_in_days: 1 },
          expect: ["403 quota_exceeded"],
        });
        if (r.status === 201) o.keys.push({ id: r.json.key_id, token: r.json.token });
        if (o.keys.length > 8) {
          const old = o.keys.shift();
          await op("DELETE /admin/organization-pats/{id}", "DELETE", `/admin/organization-pats/${old.id}`, {
            ...session(a, o),
            expect: ["404 not_found"],
          });
        }
      },
    ],

    // Calls: a lease held for a while (sometimes long enough to need heartbeats), then ended.
    startCall: [
      10,
      async (o) => {
        if (ctx.open.length >= 2) return false;
        const channel = Math.random() < 0.7 ? "voice" : "chat";
        const direction = Math.random() < 0.5 ? "inbound" : "outbound";
        const r = await op("POST /admin/calls", "POST", "/admin/calls", {
          ...dialer(a, o),
          body: { channel, direction },
          expect: ["429 concurrency_limit_reached"],
        });
        if (r.status !== 201) return;
        const hold = Math.random() < 0.05 ? between(15_000, 70_000) : between(100, 4_000);
        ctx.open.push({ id: r.json.id, org: o, channel, direction, endAt: Date.now() + hold, beat: Date.now() });
      },
    ],
    heartbeat: [
      2,
      async () => {
        const c = pick(ctx.open);
        if (!c) return false;
        await heartbeat(c);
      },
    ],

    // Usage events: a batch of 1–20 (chat sessions, workflow runs); sometimes the last batch again.
    usageEvents: [
      8,
      async (o) => {
        if (ctx.lastBatch && Math.random() < 0.1) {
          // Redelivery by the client: same keys, so it must count nothing more.
          const b = ctx.lastBatch;
          await op("POST /admin/usage/events (replay)", "POST", "/admin/usage/events", {
            ...dialer(a, b.org),
            body: { events: b.events },
          });
          return;
        }
        const events = Array.from({ length: between(1, 20) }, () => {
          const key = `${RUN}-${a.idx}-${seq++}`;
          return Math.random() < 0.6
            ? {
                key,
                kind: "chat",
                duration_seconds: Math.random() < 0.1 ? 0 : between(1, 600),
                direction: Math.random() < 0.5 ? "inbound" : "outbound",
              }
            : { key, kind: "workflow_run", outcome: Math.random() < 0.8 ? "success" : "failed" };
        });
        const r = await op("POST /admin/usage/events", "POST", "/admin/usage/events", {
          ...dialer(a, o),
          body: { events },
        });
        if (r.status === 202) {
          for (const e of events) tallyEvent(o, e);
          ctx.lastBatch = { org: o, events };
        }
      },
    ],

    // Top-ups through the local billing provider's Checkout page.
    topUp: [
      1,
      async (o) => {
        const amount = between(500, 5_000);
        const r = await op("POST /admin/billing/top-ups", "POST", "/admin/billing/top-ups", {
          ...session(a, o),
          body: { amount_cents: amount },
        });
        if (r.status !== 200) return;
        const paid = await op("POST /billing/local/checkout/{id} (pay)", "POST", payPath(r.json.url), {
          body: {},
        });
        if (paid.status === 200) o.expected.topUpCents += amount;
      },
    ],
  };

  const table = Object.values(ops);
  const totalWeight = table.reduce((n, [w]) => n + w, 0);
  const choose = () => {
    let x = Math.random() * totalWeight;
    for (const [w, fn] of table) {
      x -= w;
      if (x < 0) return fn;
    }
    return table[0][1];
  };

  return async function loop() {
    while (Date.now() < deadline) {
      for (const c of [...ctx.open]) {
        if (Date.now() >= c.endAt) await endCall(c);
        else if (Date.now() - c.beat > 15_000) await heartbeat(c);
      }
      // An operation with nothing to act on (no member to remove, …) answers false: pick another.
      for (let tries = 0; tries < 5; tries++) if ((await choose()(pick(a.orgs))) !== false) break;
    }
    for (const c of [...ctx.open]) await endCall(c);
    return ctx.failedEnds;
  };
}

// ---------------------------------------------------------------------------------------------
// After the run: wait for the usage queue, then the invariants.

const minutes = (ms) => Math.round(ms / 600) / 100;
const FIGURES = [
  "voice_calls",
  "chat_calls",
  "inbound_calls",
  "outbound_calls",
  "workflow_runs_total",
  "workflow_runs_success",
  "workflow_runs_failed",
];

function expectedFigures(o) {
  const e = o.expected;
  return {
    ...Object.fromEntries(FIGURES.map((f) => [f, e[f]])),
    voice_minutes: minutes(e.voiceMs),
    chat_minutes: minutes(e.chatMs),
  };
}

function diffFigures(o, summary) {
  const want = expectedFigures(o);
  return Object.keys(want)
    .filter((k) => summary[k] !== want[k])
    .map((k) => `${k}: got ${summary[k]}, want ${want[k]}`);
}

async function allPages(path, opts) {
  const out = [];
  let cursor = null;
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api(
      "GET",
      `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      opts,
    );
    out.push(...page.data);
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
}

async function check(orgs, window) {
  const results = [];
  const result = (name, failures, detail) => {
    results.push({ name, pass: failures.length === 0, detail, failures: failures.slice(0, 10) });
  };
  const summaryPath = `/admin/usage/summary?from=${window.from}&to=${window.to}`;

  progress("waiting for the usage queue to drain");
  const t0 = Date.now();
  let lastChange = Date.now();
  let last = "";
  let summaries;
  for (;;) {
    summaries = await pmap(orgs, 10, (o) => api("GET", summaryPath, { token: o.key }));
    const mismatched = orgs.filter((o, i) => diffFigures(o, summaries[i]).length > 0).length;
    const now = JSON.stringify(summaries.map((s) => FIGURES.map((f) => s[f])));
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
    if (mismatched === 0) break;
    if (Date.now() - t0 > DRAIN_TIMEOUT_MS || Date.now() - lastChange > 30_000) {
      progress(`gave up waiting: ${mismatched} orgs still differ`);
      break;
    }
    await sleep(1000);
  }
  const drainMs = Date.now() - t0;
  const drained = orgs.every((o, i) => diffFigures(o, summaries[i]).length === 0);

  // 1. Usage totals.
  {
    const failures = [];
    orgs.forEach((o, i) => {
      const d = diffFigures(o, summaries[i]);
      if (d.length) failures.push(`${o.id}: ${d.join("; ")}`);
    });
    const events = orgs.reduce((n, o) => n + o.expected.events, 0);
    const calls = orgs.reduce((n, o) => n + o.expected.calls, 0);
    result(
      "usage totals = what was accepted (events) + calls ended",
      failures,
      `${orgs.length - failures.length}/${orgs.length} orgs match; ${events} events accepted, ${calls} calls ended; ${drained ? "queue drained in" : "gave up waiting after"} ${(drainMs / 1000).toFixed(1)} s`,
    );
  }

  // 2. Ledger = balance; one charge per charged record, at the plan's rate; balance = seed + top-ups − charges.
  {
    const failures = [];
    let entries = 0;
    let charges = 0;
    await pmap(orgs, 10, async (o) => {
      const [billing, ledger] = await Promise.all([
        api("GET", "/admin/billing", { token: o.key }),
        allPages("/admin/billing/ledger", { token: o.key }),
      ]);
      entries += ledger.length;
      const balance = billing.balance.amount_cents;
      const sum = ledger.reduce((n, e) => n + e.amount.amount_cents, 0);
      const usage = ledger.filter((e) => e.kind === "usage_charge");
      charges += usage.length;
      const chargeCents = -usage.reduce((n, e) => n + e.amount.amount_cents, 0);
      const keys = new Set(usage.map((e) => e.usage_event_key));
      const e = o.expected;
      const want = o.baseBalance + e.topUpCents - e.chargeCents;
      const bad = [];
      if (sum !== balance) bad.push(`ledger sums to ${sum}, balance ${balance}`);
      if (ledger[0] && ledger[0].balance_after_cents !== balance)
        bad.push(`newest running balance ${ledger[0].balance_after_cents}, balance ${balance}`);
      if (usage.length !== e.charges) bad.push(`${usage.length} charge entries, want ${e.charges}`);
      if (keys.size !== usage.length) bad.push(`${usage.length - keys.size} usage records charged twice`);
      if (chargeCents !== e.chargeCents) bad.push(`charged ${chargeCents} ¢, want ${e.chargeCents} ¢`);
      if (balance !== want) bad.push(`balance ${balance}, want ${o.baseBalance} + ${e.topUpCents} − ${e.chargeCents}`);
      if (bad.length) failures.push(`${o.id}: ${bad.join("; ")}`);
    });
    result(
      "ledger sums to the balance; charges and top-ups exact",
      failures,
      `${orgs.length - failures.length}/${orgs.length} orgs; ${entries} entries read, ${charges} usage charges`,
    );
  }

  // 3. Exactly one owner, the one seeded.
  {
    const failures = [];
    let members = 0;
    await pmap(orgs, 10, async (o) => {
      const list = await allPages("/admin/members", { token: o.key });
      members += list.length;
      const owners = list.filter((m) => m.is_owner || m.roles.includes("owner"));
      const org = await api("GET", "/admin/organization", { token: o.key });
      if (owners.length !== 1 || owners[0].user_id !== o.owner.userId || org.owner?.id !== o.owner.userId)
        failures.push(
          `${o.id}: owners ${JSON.stringify(owners.map((m) => m.user_id))}, org.owner ${JSON.stringify(org.owner)}`,
        );
    });
    result(
      "every org has exactly one owner",
      failures,
      `${orgs.length - failures.length}/${orgs.length} orgs; ${members} members`,
    );
  }

  // 3b. Members and roles: exactly the pool users the clients saw join (with the role last set), the owner, the admin client.
  {
    const failures = [];
    await pmap(orgs, 10, async (o) => {
      const list = await allPages("/admin/members", { token: o.key });
      const want = new Map([...o.members.entries()].map(([id, role]) => [id, [role]]));
      want.set(o.owner.userId, ["owner"]);
      if (o.admin) want.set(o.admin.userId, ["admin"]);
      const got = new Map(list.map((m) => [m.user_id, m.roles.filter((r) => r !== "owner" || m.is_owner)]));
      const bad = [];
      for (const [id, roles] of want) {
        const g = got.get(id);
        if (!g) bad.push(`${id} missing`);
        else if (
          !(g.length === roles.length && g.every((r, i) => r === roles[i])) &&
          !(roles[0] === "owner" && g.includes("owner"))
        )
          bad.push(`${id} has ${g.join(",")}, want ${roles.join(",")}`);
      }
      for (const id of got.keys()) if (!want.has(id)) bad.push(`${id} should not be a member`);
      if (bad.length) failures.push(`${o.id}: ${bad.join("; ")}`);
    });
    result(
      "members and roles are what the clients' accepted changes made them",
      failures,
      `${orgs.length - failures.length}/${orgs.length} orgs`,
    );
  }

  // 4. No lease left.
  {
    const failures = [];
    await pmap(orgs, 10, async (o) => {
      const c = await api("GET", "/admin/concurrency", { token: o.key });
      if (c.active !== 0) failures.push(`${o.id}: ${c.active} active of ${c.limit}`);
    });
    result("no call lease left (0 active)", failures, `${orgs.length - failures.length}/${orgs.length} orgs at 0`);
  }

  // 5. Pending invitations: one per e-mail.
  {
    const failures = [];
    let pending = 0;
    await pmap(orgs, 10, async (o) => {
      const list = await allPages("/admin/invitations?status=pending", { token: o.key });
      pending += list.length;
      const emails = new Set(list.map((i) => i.email));
      if (emails.size !== list.length) failures.push(`${o.id}: ${list.length} pending for ${emails.size} e-mails`);
    });
    result(
      "pending invitations have unique e-mails",
      failures,
      `${orgs.length - failures.length}/${orgs.length} orgs; ${pending} pending`,
    );
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Report.

const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;

/** Table order: the first group whose pattern matches a label. */
const GROUPS = [
  /^GET /,
  /\(refused\)/,
  /members|accept|\(member\)/,
  /invitations/,
  /organization-pats/,
  /\/admin\/calls/,
  /usage\/events/,
  /billing/,
];
const groupOf = (label) => {
  const i = GROUPS.findIndex((g) => g.test(label));
  return i < 0 ? GROUPS.length : i;
};

function tableOf(elapsedS) {
  const rows = [...stats.values()].sort(
    (x, y) => groupOf(x.label) - groupOf(y.label) || x.label.localeCompare(y.label),
  );
  const lines = [
    "| operation | count | req/s | p50 ms | p99 ms | 4xx (expected refusals) | 5xx | other |",
    "|---|---:|---:|---:|---:|---|---:|---:|",
  ];
  let total = 0;
  const all = [];
  for (const s of rows) {
    const lat = [...s.lat].sort((x, y) => x - y);
    all.push(...lat);
    const n = s.lat.length + s.net;
    total += n;
    const refused = [...s.refused.entries()].map(([k, v]) => `${k} ×${v}`).join(", ") || "–";
    lines.push(
      `| ${s.label} | ${n} | ${(n / elapsedS).toFixed(1)} | ${pct(lat, 50).toFixed(1)} | ${pct(lat, 99).toFixed(1)} | ${refused} | ${s.s5xx} | ${s.unexpected + s.net} |`,
    );
  }
  all.sort((x, y) => x - y);
  const s5 = rows.reduce((n, s) => n + s.s5xx, 0);
  const other = rows.reduce((n, s) => n + s.unexpected + s.net, 0);
  const refusals = rows.reduce((n, s) => n + [...s.refused.values()].reduce((m, v) => m + v, 0), 0);
  lines.push(
    `| **all** | **${total}** | **${(total / elapsedS).toFixed(1)}** | ${pct(all, 50).toFixed(1)} | ${pct(all, 99).toFixed(1)} | ${refusals} | ${s5} | ${other} |`,
  );
  return lines.join("\n");
}

async function main() {
  try {
    await fetch(`http://127.0.0.1:${PORT}/healthz`);
    throw new Error(`port ${PORT} is already serving: stop that server first`);
  } catch (err) {
    if (String(err.message).startsWith("port")) throw err;
  }
  if (!(CLIENTS >= 1 && ORGS >= CLIENTS && POOL >= 1 && DURATION_S > 0))
    throw new Error("need --duration > 0, 1 ≤ --clients ≤ --orgs and --pool ≥ 1");
  mkdirSync("bench/results", { recursive: true });
  const started = new Date();
  const server = await startServer({
    port: PORT,
    logFile: "bench/results/load-wrangler.log",
    // Each client creates ORGS / CLIENTS organizations besides its personal one.
    vars: { MAX_TOP_LEVEL_ORGS_PER_USER: 100_000, MAX_FREE_ORGS_PER_USER: 100_000 },
  });
  BASE = server.base;
  let out;
  try {
    const seedT0 = Date.now();
    const { actors, pool, orgs } = await seed();
    progress(
      `seeded ${orgs.length} orgs, ${actors.length} clients, ${pool.length} pool users in ${((Date.now() - seedT0) / 1000).toFixed(0)} s`,
    );
    const window = {
      from: new Date(seedT0 - 86_400_000).toISOString().slice(0, 10),
      to: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10),
    };

    progress(`running ${CLIENTS} clients for ${DURATION_S} s`);
    const runT0 = performance.now();
    const deadline = Date.now() + DURATION_S * 1000;
    const ticker = setInterval(() => {
      const n = [...stats.values()].reduce((m, s) => m + s.lat.length + s.net, 0);
      progress(`${((performance.now() - runT0) / 1000).toFixed(0)} s: ${n} requests, ${problems.length} problems`);
    }, 10_000);
    const failedEnds = (await Promise.all(actors.map((a) => makeClient(a, pool, deadline)()))).flat();
    clearInterval(ticker);
    const elapsedS = (performance.now() - runT0) / 1000;
    // Calls whose end met a 5xx or a network error: end them now so no lease is left (already a failure).
    for (const c of failedEnds) {
      const r = await send("POST", `/admin/calls/${c.id}/end`, { token: c.org.key });
      if (r.status === 200)
        tallyCall(c.org, c.channel, c.direction, Date.parse(r.json.ended_at) - Date.parse(r.json.started_at));
    }

    const table = tableOf(elapsedS);
    const results = await check(orgs, window);
    out = { table, results, elapsedS, races };
  } finally {
    server.stop();
    server.cleanup();
  }

  const { table, results, elapsedS } = out;
  const lines = [];
  lines.push(`# Load: ${CLIENTS} clients × ${DURATION_S} s across ${ORGS} orgs`);
  lines.push("");
  lines.push(
    `${started.toISOString()} · \`node bench/load.mjs --duration ${DURATION_S} --clients ${CLIENTS} --orgs ${ORGS} --pool ${POOL}\` · wrangler dev on 127.0.0.1:${PORT}, Node ${process.version}, ran ${elapsedS.toFixed(1)} s`,
  );
  lines.push("");
  lines.push(table);
  lines.push("");
  lines.push(
    `Same new e-mail invited twice at once: ${races.pairs} pairs, ${races.oneCreatedOneResent} created once + resent once, ${races.duplicates} duplicated, ${races.other} other (refused).`,
  );
  lines.push("");
  lines.push(
    `Exclusive races (both requests at once, exactly one may win): ${[...exclusive.entries()].map(([k, r]) => `${k}: ${r.oneWon}/${r.n} with one winner`).join("; ") || "none"}.`,
  );
  if (devProxy.resent > 0) {
    const where = [...devProxy.byLabel.entries()].map(([k, v]) => `${k} ×${v}`).join(", ");
    lines.push("");
    lines.push(
      `wrangler dev's proxy answered ${devProxy.resent} request(s) with its own 503 "${DEV_PROXY_503}" (its keep-alive race to the worker, cloudflare/workers-sdk#14641; the worker never restarted): sent again once, and counted above by their second answer — ${where}.`,
    );
  }
  lines.push("");
  lines.push("## Invariants");
  lines.push("");
  for (const r of results) {
    lines.push(`- **${r.pass ? "PASS" : "FAIL"}** ${r.name}: ${r.detail}`);
    for (const f of r.failures) lines.push(`  - ${f}`);
  }
  if (problems.length) {
    lines.push("");
    lines.push(`## Problems (${problems.length}; first ${Math.min(problems.length, 20)})`);
    lines.push("");
    for (const p of problems.slice(0, 20))
      lines.push(`- ${p.kind}: \`${p.method} ${p.path}\` → ${p.status} \`${p.body.replaceAll("`", "'")}\``);
  }
  const report = `${lines.join("\n")}\n`;
  const file = `bench/results/load-${started.toISOString().slice(0, 10)}.md`;
  writeFileSync(file, report);
  console.log(report);
  console.log(`(written to ${file})`);
  const ok = problems.length === 0 && results.every((r) => r.pass);
  if (!ok) {
    console.error(`FAILED: ${problems.length} problems, ${results.filter((r) => !r.pass).length} failed checks`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
