// Our member, invitation and session routes against the open-source system closest to them,
// Better Auth's organization plugin (bench/peers/better-auth/, its README says how it is set up),
// both Hono workers on D1 under the root's pinned wrangler, on this machine, in one run.
//
//   npm run bench:peers -- [--duration 8] [--rounds 3] [--connections 10] [--peer-joins on|off] [--peer-cookie-cache]
//
// Ours on 127.0.0.1:8781 (bench/lib.mjs startServer), the peer on 127.0.0.1:8782, each on a fresh
// local D1 in a temp dir, seeded alike: an owner, an organization, 50 more members, 20 pending
// invitations. Every operation is measured in `rounds` rounds of four slices (ours' floor, ours'
// route, the peer's floor, the peer's route; the floor is each side's GET /healthz), each side's
// figure is the median of its per-slice route ÷ floor ratios, and ours ÷ peer is the median over
// the rounds of the two sides' ratios (and of their raw req/s). Printed, and written to
// bench/results/peers-<date>.md and bench/results/peers-latest.json (with a suffix, -no-joins or
// -cookie-cache, when the peer runs with a non-default option).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
process.chdir(ROOT); // bench/lib.mjs runs node_modules/.bin/wrangler relative to the root
const { startServer, d1, fetchSettling } = await import("../lib.mjs");
const { signIn, api } = await import("../../scripts/demo-seed.mjs");

const PEER_DIR = join(ROOT, "bench/peers/better-auth");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
const OURS_PORT = 8781;
const PEER_PORT = 8782;
const PEER = `http://127.0.0.1:${PEER_PORT}`;

const flag = (name) => process.argv.includes(`--${name}`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg("duration", Number(process.env.BENCH_SECONDS ?? 8));
const ROUNDS = arg("rounds", 3);
const CONNECTIONS = arg("connections", 10);
const SLICE = Math.max(2, Math.round(DURATION / ROUNDS));
const COOKIE_CACHE = flag("peer-cookie-cache");
const argString = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const JOINS = argString("peer-joins", "on") !== "off";
const MEMBERS = 50; // besides the owner: every member list has 51 rows
const INVITATIONS = 20;
const READ_TARGET = 5;
const WRITE_TARGET = 3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sql = (s) => (s === null ? "NULL" : `'${String(s).replaceAll("'", "''")}'`);
const pad4 = (i) => String(i).padStart(4, "0");

// ---------------------------------------------------------------------------------------------
// The peer: npm ci on first use, migrations, wrangler dev in its own folder.

function ensurePeerInstalled() {
  if (existsSync(join(PEER_DIR, "node_modules/better-auth"))) return;
  console.log("installing the peer (npm ci in bench/peers/better-auth) …");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: PEER_DIR, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm ci in bench/peers/better-auth failed");
}

function peerD1(persistDir, args) {
  const r = spawnSync(WRANGLER, ["d1", ...args, "--local", "--persist-to", persistDir], {
    cwd: PEER_DIR,
    encoding: "utf8",
    env: { ...process.env, CI: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`peer: wrangler d1 ${args.join(" ")} failed:\n${r.stderr || r.stdout}`);
  return r.stdout;
}

async function startPeer() {
  const persistDir = mkdtempSync(join(tmpdir(), "peer-better-auth-"));
  peerD1(persistDir, ["migrations", "apply", "DB"]);
  const vars = {
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    JOINS: JOINS ? "1" : "0",
    COOKIE_CACHE: COOKIE_CACHE ? "1" : "0",
  };
  const child = spawn(
    WRANGLER,
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(PEER_PORT),
      "--persist-to",
      persistDir,
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { cwd: PEER_DIR, stdio: ["ignore", "ignore", "pipe"], detached: true, env: { ...process.env, CI: "1" } },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-20_000);
  });
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.on("exit", stop);
  const cleanup = () => rmSync(persistDir, { recursive: true, force: true });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${PEER}/healthz`)).ok) return { base: PEER, persistDir, stop, cleanup, stderr: () => stderr };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  stop();
  throw new Error(`the peer's wrangler dev did not start:\n${stderr}`);
}

/** The peer's API as a browser would call it: its session cookie, and an Origin on writes. */
function peerClient() {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  async function call(method, path, body) {
    const headers = { origin: PEER };
    if (body) headers["content-type"] = "application/json";
    if (jar.size) headers.cookie = cookie();
    const res = await fetchSettling(PEER + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`peer ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  return { call, cookie };
}

// ---------------------------------------------------------------------------------------------
// Seeding: the same data on both sides, through each API for the owner and the organization,
// through SQL for the bulk (each side with the ids and columns of its own schema).

async function seedOurs(base, persistDir) {
  const owner = `owner-${Date.now()}@bench.example`;
  const { token } = await signIn(base, owner);
  const me = await api(base, "GET", "/admin/me", { token });
  const orgId = me.organizations[0].id;
  const now = Date.now();
  const lines = [];
  for (let i = 1; i <= MEMBERS; i++) {
    const id = `usr_bench${pad4(i)}`;
    lines.push(
      `INSERT INTO users (id, email, email_verified_at, created_at) VALUES (${sql(id)}, 'member${i}@bench.example', ${now}, ${now});`,
      `INSERT INTO memberships (org_id, user_id, roles, created_at) VALUES (${sql(orgId)}, ${sql(id)}, 'member', ${now + i});`,
    );
  }
  for (let i = 0; i < INVITATIONS; i++) {
    lines.push(
      "INSERT INTO invitations (id, org_id, email, role, status, valid_days, send_count, invited_by, expires_at, created_at, updated_at) " +
        `VALUES ('inv_bench${pad4(i)}', ${sql(orgId)}, 'invitee${i}@bench.example', 'member', 'pending', 7, 1, ${sql(me.user.id)}, ${now + 7 * 86_400_000}, ${now}, ${now});`,
    );
  }
  const file = join(persistDir, "seed.sql");
  writeFileSync(file, lines.join("\n"));
  d1(persistDir, ["execute", "DB", "--file", file]);
  return { token, orgId };
}

async function seedPeer(persistDir) {
  const peer = peerClient();
  const signUp = await peer.call("POST", "/api/auth/sign-up/email", {
    email: `owner-${Date.now()}@bench.example`,
    password: randomBytes(12).toString("base64url"),
    name: "Bench Owner",
  });
  const org = await peer.call("POST", "/api/auth/organization/create", { name: "Bench", slug: `bench-${Date.now()}` });
  await peer.call("POST", "/api/auth/organization/set-active", { organizationId: org.id });
  const t0 = Date.now();
  const iso = (ms) => new Date(ms).toISOString();
  const lines = [];
  for (let i = 1; i <= MEMBERS; i++) {
    const id = `usr_bench${pad4(i)}`;
    lines.push(
      `INSERT INTO "user" (id, name, email, emailVerified, image, createdAt, updatedAt) VALUES (${sql(id)}, 'Member ${i}', 'member${i}@bench.example', 1, NULL, ${sql(iso(t0))}, ${sql(iso(t0))});`,
      `INSERT INTO member (id, organizationId, userId, role, createdAt) VALUES ('mem_bench${pad4(i)}', ${sql(org.id)}, ${sql(id)}, 'member', ${sql(iso(t0 + i))});`,
    );
  }
  for (let i = 0; i < INVITATIONS; i++) {
    lines.push(
      "INSERT INTO invitation (id, organizationId, email, role, status, expiresAt, createdAt, inviterId) " +
        `VALUES ('inv_bench${pad4(i)}', ${sql(org.id)}, 'invitee${i}@bench.example', 'member', 'pending', ${sql(iso(t0 + 7 * 86_400_000))}, ${sql(iso(t0))}, ${sql(signUp.user.id)});`,
    );
  }
  const file = join(persistDir, "seed.sql");
  writeFileSync(file, lines.join("\n"));
  peerD1(persistDir, ["execute", "DB", "--file", file]);
  return { cookie: peer.cookie(), orgId: org.id, call: peer.call };
}

// ---------------------------------------------------------------------------------------------
// The operations. `perOp`: HTTP requests per operation (ours has no single route for "the
// organization with its members": it is the organization, then its member list).

function operations(ours, peer) {
  const oursAuth = { authorization: `Bearer ${ours.token}`, "x-anyreach-org": ours.orgId };
  const peerAuth = { cookie: peer.cookie, origin: PEER };
  let n = 0;
  const invite = (path) => [
    {
      method: "POST",
      path,
      headers: { "content-type": "application/json" },
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ email: `b${process.pid}-${n++}@bench.example`, role: "member" }),
      }),
    },
  ];
  return [
    {
      name: "current principal / session",
      write: false,
      ours: { label: "GET /admin/me", headers: { authorization: oursAuth.authorization }, path: "/admin/me" },
      peer: { label: "GET /api/auth/get-session", headers: peerAuth, path: "/api/auth/get-session" },
    },
    {
      name: "list members (51)",
      write: false,
      ours: { label: "GET /admin/members?limit=100", headers: oursAuth, path: "/admin/members?limit=100" },
      peer: {
        label: "GET /api/auth/organization/list-members",
        headers: peerAuth,
        path: "/api/auth/organization/list-members",
      },
    },
    {
      name: "organization with its members",
      write: false,
      ours: {
        label: "GET /admin/organization + GET /admin/members?limit=100 (2 requests per op)",
        headers: oursAuth,
        perOp: 2,
        requests: [
          { method: "GET", path: "/admin/organization" },
          { method: "GET", path: "/admin/members?limit=100" },
        ],
      },
      peer: {
        label: "GET /api/auth/organization/get-full-organization (members + invitations)",
        headers: peerAuth,
        path: "/api/auth/organization/get-full-organization",
      },
    },
    {
      name: "list invitations (20 pending)",
      write: false,
      ours: { label: "GET /admin/invitations?limit=100", headers: oursAuth, path: "/admin/invitations?limit=100" },
      peer: {
        label: "GET /api/auth/organization/list-invitations",
        headers: peerAuth,
        path: "/api/auth/organization/list-invitations",
      },
    },
    {
      name: "create invitation (unique e-mails)",
      write: true,
      ours: { label: "POST /admin/invitations", headers: oursAuth, requests: invite("/admin/invitations") },
      peer: {
        label: "POST /api/auth/organization/invite-member",
        headers: peerAuth,
        requests: invite("/api/auth/organization/invite-member"),
      },
    },
  ];
}

/** One autocannon slice; req/s and latencies (ms), non-2xx/errors/timeouts, mean response bytes. */
function run(base, { path = "/", headers, requests, perOp = 1 }, duration) {
  return new Promise((resolveRun, reject) => {
    autocannon(
      { url: base + path, connections: CONNECTIONS, duration, headers, ...(requests ? { requests } : {}) },
      (err, r) => {
        if (err) return reject(err);
        resolveRun({
          rps: r.requests.average / perOp,
          p50: r.latency.p50,
          p99: r.latency.p99,
          total: r.requests.total,
          bad: r.non2xx + r.errors + r.timeouts,
          statuses: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
          bytes: r.requests.total ? (r.throughput.total * perOp) / r.requests.total : 0, // per operation
        });
      },
    );
  });
}

const FLOOR = { path: "/healthz" };

async function measureOperation(op, bases) {
  // A short warm-up of each side's route, unmeasured.
  await run(bases.ours, op.ours, 1);
  await run(bases.peer, op.peer, 1);
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const round = {};
    for (const side of ["ours", "peer"]) {
      await sleep(500); // let queued work of the previous slice drain
      const floor = await run(bases[side], FLOOR, SLICE);
      await sleep(500);
      const route = await run(bases[side], op[side], SLICE);
      round[side] = { floor, route, ratio: route.rps / floor.rps };
    }
    round.ratioOfRatios = round.ours.ratio / round.peer.ratio;
    round.raw = round.ours.route.rps / round.peer.route.rps;
    rounds.push(round);
    process.stdout.write(
      `  ${op.name}, round ${i + 1}: ours ${round.ours.route.rps.toFixed(0)}/${round.ours.floor.rps.toFixed(0)} req/s, ` +
        `peer ${round.peer.route.rps.toFixed(0)}/${round.peer.floor.rps.toFixed(0)} req/s (route/floor)\n`,
    );
  }
  const side = (s) => {
    const ratio = median(rounds.map((r) => r[s].ratio));
    const mid = rounds.find((r) => r[s].ratio === ratio)[s];
    return {
      route: op[s].label,
      rps: mid.route.rps,
      p50: mid.route.p50,
      p99: mid.route.p99,
      floorRps: mid.floor.rps,
      ratio,
      ratios: rounds.map((r) => r[s].ratio),
      non2xx: rounds.reduce((a, r) => a + r[s].route.bad + r[s].floor.bad, 0),
      statuses: rounds.map((r) => r[s].route.statuses),
      bytesPerResponse: Math.round(mid.route.bytes),
    };
  };
  const target = op.write ? WRITE_TARGET : READ_TARGET;
  const ratioOfRatios = median(rounds.map((r) => r.ratioOfRatios));
  return {
    operation: op.name,
    write: op.write,
    ours: side("ours"),
    peer: side("peer"),
    ratioOfRatios,
    rawRatio: median(rounds.map((r) => r.raw)),
    target,
    met: ratioOfRatios >= target,
  };
}

// ---------------------------------------------------------------------------------------------
// The report.

/** A ratio for the table; a side that answered nothing in a slice makes it infinite. */
const times = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "∞ (a side answered 0 req/s)");

function table(rows) {
  const head = [
    "operation",
    "ours req/s",
    "ours p50 ms",
    "ours p99 ms",
    "ours ×floor",
    "peer req/s",
    "peer p50 ms",
    "peer p99 ms",
    "peer ×floor",
    "ours÷peer ×floor",
    "ours÷peer req/s",
    "target (on ×floor)",
    "non-2xx ours/peer",
  ];
  const body = rows.map((r) => [
    r.operation,
    r.ours.rps.toFixed(0),
    String(r.ours.p50),
    String(r.ours.p99),
    r.ours.ratio.toFixed(2),
    r.peer.rps.toFixed(0),
    String(r.peer.p50),
    String(r.peer.p99),
    r.peer.ratio.toFixed(2),
    times(r.ratioOfRatios),
    times(r.rawRatio),
    `${r.met ? "MET" : "MISSED"} (≥${r.target}×)`,
    `${r.ours.non2xx}/${r.peer.non2xx}${r.ours.non2xx + r.peer.non2xx ? " ⚠" : ""}`,
  ]);
  return { head, body };
}

function consoleTable({ head, body }) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

function markdownTable({ head, body }) {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...body.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

function legend(rows, meta) {
  return [
    `${meta.connections} connections; every operation ${meta.rounds} rounds of 4 slices of ${meta.slice} s ` +
      "(ours' GET /healthz, ours' route, the peer's GET /healthz, the peer's route).",
    "×floor: the median over the rounds of route req/s ÷ the same side's floor req/s in the adjacent slice;",
    "req/s, p50 and p99 (ms) are from that median slice. ours÷peer ×floor: median over the rounds of ours' ×floor ÷ the",
    "peer's ×floor (the target is judged on it); ours÷peer req/s: median over the rounds of the raw req/s ratio.",
    "The ops/s of 'organization with its members' on our side count 2 requests as one operation (p50/p99 are per request).",
    "Ours' floor runs our middleware (request id, limits, custom-host lookup); the peer's is a bare Hono route.",
    `Peer: better-auth ${meta.peerVersion} (organization plugin) on D1, joins ${meta.joins ? "on" : "off"}, ` +
      `session cookie cache ${meta.cookieCache ? "on" : "off"}; ` +
      "both under wrangler 4.86.0 on the same machine, which other work shares: compare ratios, not req/s.",
    "",
    "Routes:",
    ...rows.map((r) => `- ${r.operation}: ours \`${r.ours.route}\`; peer \`${r.peer.route}\``),
    "",
    "Response bytes per operation (headers included):",
    ...rows.map((r) => `- ${r.operation}: ours ${r.ours.bytesPerResponse}, peer ${r.peer.bytesPerResponse}`),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------

/** A read, retried when wrangler dev drops the connection (it may, right after `d1 execute`). */
async function retried(read) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= 3 || !(err instanceof TypeError)) throw err; // fetch failed, not an HTTP error
      await sleep(500);
    }
  }
}

async function verifySeed(ours, peer, oursBase) {
  const oursGet = (path) => retried(() => api(oursBase, "GET", path, { token: ours.token, org: ours.orgId }));
  const oursMembers = await oursGet("/admin/members?limit=100");
  const oursInv = await oursGet("/admin/invitations?limit=100");
  const peerMembers = await peer.call("GET", "/api/auth/organization/list-members");
  const peerFull = await peer.call("GET", "/api/auth/organization/get-full-organization");
  const peerInv = await peer.call("GET", "/api/auth/organization/list-invitations");
  const counts = {
    ours: {
      members: oursMembers.data.length,
      more: oursMembers.next_cursor !== null,
      invitations: oursInv.data.length,
    },
    peer: {
      members: peerMembers.members.length,
      total: peerMembers.total,
      fullMembers: peerFull.members.length,
      fullInvitations: peerFull.invitations.length,
      invitations: peerInv.length,
    },
  };
  console.log(`seeded: ${JSON.stringify(counts)}`);
  const all = MEMBERS + 1;
  const ok =
    counts.ours.members === all &&
    !counts.ours.more &&
    counts.ours.invitations === INVITATIONS &&
    counts.peer.members === all &&
    counts.peer.total === all &&
    counts.peer.fullMembers === all &&
    counts.peer.fullInvitations === INVITATIONS &&
    counts.peer.invitations === INVITATIONS;
  if (!ok) throw new Error(`the two sides do not hold the same data: ${JSON.stringify(counts)}`);
  return counts;
}

let oursServer;
let peerServer;
async function main() {
  const started = Date.now();
  ensurePeerInstalled();
  const peerVersion = JSON.parse(readFileSync(join(PEER_DIR, "node_modules/better-auth/package.json"), "utf8")).version;
  console.log(`starting ours (:${OURS_PORT}) and Better Auth ${peerVersion} (:${PEER_PORT}) …`);
  [oursServer, peerServer] = await Promise.all([
    startServer({
      port: OURS_PORT,
      // The write row adds thousands of invitations: above the default quota (50 pending per org).
      vars: { MAX_PENDING_INVITATIONS_PER_ORG: "1000000", APP_URL: `http://127.0.0.1:${OURS_PORT}` },
    }),
    startPeer(),
  ]);
  const ours = await seedOurs(oursServer.base, oursServer.persistDir);
  const peer = await seedPeer(peerServer.persistDir);
  const seeded = await verifySeed(ours, peer, oursServer.base);

  const bases = { ours: oursServer.base, peer: peerServer.base };
  const rows = [];
  for (const op of operations(ours, peer)) rows.push(await measureOperation(op, bases));

  const meta = {
    date: new Date().toISOString(),
    args: process.argv.slice(2).join(" "),
    seconds: Math.round((Date.now() - started) / 1000),
    connections: CONNECTIONS,
    rounds: ROUNDS,
    slice: SLICE,
    peerVersion,
    joins: JOINS,
    cookieCache: COOKIE_CACHE,
    seeded,
  };
  const t = table(rows);
  console.log(`\n${consoleTable(t)}\n\n${legend(rows, meta)}`);
  const bad = rows.filter((r) => r.ours.non2xx + r.peer.non2xx > 0);
  if (bad.length) console.log(`\n⚠ non-2xx answers in: ${bad.map((r) => r.operation).join(", ")}`);

  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  const day = meta.date.slice(0, 10);
  // A run with a non-default peer leaves the default run's files alone.
  const variant = `${JOINS ? "" : "-no-joins"}${COOKIE_CACHE ? "-cookie-cache" : ""}`;
  const mdFile = `bench/results/peers-${day}${variant}.md`;
  const jsonFile = `bench/results/peers-latest${variant}.json`;
  const md =
    `# Ours vs Better Auth's organization plugin — ${meta.date}\n\n` +
    `\`npm run bench:peers${meta.args ? ` -- ${meta.args}` : ""}\` (bench/peers/run.mjs), ${meta.seconds} s.\n\n` +
    `${markdownTable(t)}\n\n${legend(rows, meta)}\n`;
  writeFileSync(join(ROOT, mdFile), md);
  writeFileSync(join(ROOT, jsonFile), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
  console.log(`\nwritten: ${mdFile}, ${jsonFile} (${meta.seconds} s)`);
}

function stopAll() {
  for (const s of [oursServer, peerServer]) {
    if (!s) continue;
    s.stop();
    s.cleanup();
  }
}

main()
  .then(async () => {
    stopAll();
    await sleep(500);
  })
  .catch((err) => {
    console.error(err);
    if (peerServer) console.error(`peer stderr (tail):\n${peerServer.stderr().slice(-3000)}`);
    stopAll();
    process.exitCode = 1;
  });
