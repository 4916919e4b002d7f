// Benchmark of the member and invitation routes against the runtime floor (GET /healthz),
// in one run on this machine. Results are printed, not asserted.
//
//   node bench/members.mjs [--duration 10] [--rounds 3] [--connections 10]
//
// Starts its own `wrangler dev` on 127.0.0.1:8793 with a fresh local D1 in a temp dir,
// signs a user in through the API, seeds 50 members and 70 pending invitations with SQL,
// then runs autocannon against each route. Other processes share the CPU cores and their load
// drifts, so each route is measured in `rounds` slices alternating with the floor (GET /healthz)
// and its ratio is the median of the per-slice ratios: compare the ratios, not req/s.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { fetchSettling } from "./lib.mjs";

const PORT = 8793;
const BASE = `http://127.0.0.1:${PORT}`;
const WRANGLER = "node_modules/.bin/wrangler";
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg("duration", 10);
const ROUNDS = arg("rounds", 3);
const CONNECTIONS = arg("connections", 10);
const MEMBERS = 50;
const INVITATIONS = 70;

const persist = mkdtempSync(join(tmpdir(), "bench-members-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;

function wrangler(args) {
  execFileSync(WRANGLER, args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CI: "1" } });
}

async function api(method, path, { token, org, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (org) headers["x-anyreach-org"] = org;
  const res = await fetchSettling(BASE + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function waitUntil(fn, what, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not ready yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function signIn(email) {
  await api("POST", "/auth/email/start", { body: { email } });
  const mail = await waitUntil(
    async () => (await api("GET", `/dev/outbox?to=${encodeURIComponent(email)}`)).data[0],
    "the sign-in mail",
  );
  const code = /\b(\d{6})\b/.exec(mail.subject)[1];
  return api("POST", "/auth/email/verify", { body: { email, code } });
}

function seedSql(orgId) {
  const now = Date.now();
  const lines = [];
  for (let i = 1; i < MEMBERS; i++) {
    const id = `usr_bench${String(i).padStart(4, "0")}`;
    lines.push(
      `INSERT INTO users (id, email, email_verified_at, created_at) VALUES (${sqlString(id)}, 'member${i}@bench.example', ${now}, ${now});`,
    );
    lines.push(
      `INSERT INTO memberships (org_id, user_id, roles, created_at) VALUES (${sqlString(orgId)}, ${sqlString(id)}, 'member', ${now + i});`,
    );
  }
  for (let i = 0; i < INVITATIONS; i++) {
    lines.push(
      `INSERT INTO invitations (id, org_id, email, role, status, valid_days, send_count, invited_by, expires_at, created_at, updated_at) ` +
        `VALUES ('inv_bench${String(i).padStart(4, "0")}', ${sqlString(orgId)}, 'invitee${i}@bench.example', 'member', 'pending', 7, 1, NULL, ${now + 7 * 86_400_000}, ${now}, ${now});`,
    );
  }
  return lines.join("\n");
}

function run(title, { path = "/", ...opts }) {
  return new Promise((resolve, reject) => {
    autocannon({ url: BASE + path, connections: CONNECTIONS, duration: DURATION, ...opts }, (err, r) => {
      if (err) return reject(err);
      const bad = r.non2xx + r.errors + r.timeouts;
      resolve({ title, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, bad });
    });
  });
}

let dev;
async function main() {
  console.log(`persist dir: ${persist}`);
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist]);
  const jwtSecret = randomBytes(32).toString("base64url");
  dev = spawn(
    WRANGLER,
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(PORT),
      "--persist-to",
      persist,
      "--var",
      `JWT_SECRET:${jwtSecret}`,
      // 70 invitations are seeded and the POST row adds thousands: above the default quota (50).
      "--var",
      "MAX_PENDING_INVITATIONS_PER_ORG:1000000",
      "--var",
      `APP_URL:${BASE}`,
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
      detached: true, // its own process group, so workerd goes down with it
      env: { ...process.env, CI: "1" },
    },
  );
  await waitUntil(async () => (await fetch(`${BASE}/healthz`)).ok, "wrangler dev", 60_000);

  const { token, organizations } = await signIn(`owner-${Date.now()}@bench.example`);
  const orgId = organizations[0].id;
  const file = join(persist, "seed.sql");
  writeFileSync(file, seedSql(orgId));
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", persist, "--file", file]);

  const auth = { authorization: `Bearer ${token}`, "x-anyreach-org": orgId, "content-type": "application/json" };
  const members = await api("GET", "/admin/members?limit=50", { token, org: orgId });
  const invites = await api("GET", "/admin/invitations?limit=70", { token, org: orgId });
  console.log(`seeded: ${members.data.length} members, ${invites.data.length} pending invitations`);

  let n = 0;
  const routes = [
    // Authentication and org context only (warm cache, no D1): what every /admin route pays.
    ["GET /admin/members/me/scopes (auth only)", { path: "/admin/members/me/scopes", headers: auth }],
    // limit=100: the whole list in one response, as the peer answers it.
    ["GET /admin/members?limit=100 (50 rows)", { path: "/admin/members?limit=100", headers: auth }],
    ["GET /admin/invitations?limit=100 (70 rows)", { path: "/admin/invitations?limit=100", headers: auth }],
    [
      "POST /admin/invitations (unique e-mails)",
      {
        headers: auth,
        requests: [
          {
            method: "POST",
            path: "/admin/invitations",
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({ email: `b${process.pid}-${n++}@bench.example`, role: "member" }),
            }),
          },
        ],
      },
    ],
  ];
  const slice = Math.max(2, Math.round(DURATION / ROUNDS));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  for (const [title, opts] of routes) {
    const slices = [];
    for (let i = 0; i < ROUNDS; i++) {
      await sleep(1000); // let queued work of the previous slice drain
      const floor = await run("GET /healthz", { path: "/healthz", duration: slice });
      const r = await run(title, { ...opts, duration: slice });
      slices.push({ ...r, floor: floor.rps, ratio: r.rps / floor.rps });
    }
    const mid = slices.find((x) => x.ratio === median(slices.map((y) => y.ratio)));
    rows.push({ ...mid, bad: slices.reduce((a, x) => a + x.bad, 0), ratios: slices.map((x) => x.ratio) });
  }

  console.log(
    `\n${CONNECTIONS} connections; each route ${ROUNDS} × ${slice} s, each slice right after ${slice} s of GET /healthz (the floor).`,
  );
  console.log(
    "Ratio = median over the slices of route req/s ÷ adjacent floor req/s; req/s and latencies are from that median slice.",
  );
  console.log("The machine is shared with other work: absolute figures are noisy, compare the ratios.\n");
  console.log(
    "route".padEnd(44) +
      "req/s".padStart(8) +
      "p50 ms".padStart(8) +
      "p99 ms".padStart(8) +
      "floor req/s".padStart(13) +
      "of floor".padStart(10) +
      "  slices" +
      "non-2xx".padStart(22),
  );
  for (const r of rows) {
    console.log(
      r.title.padEnd(44) +
        r.rps.toFixed(0).padStart(8) +
        String(r.p50).padStart(8) +
        String(r.p99).padStart(8) +
        r.floor.toFixed(0).padStart(13) +
        `${(100 * r.ratio).toFixed(1)}%`.padStart(10) +
        `  ${r.ratios.map((x) => `${(100 * x).toFixed(0)}%`).join(" ")}`.padEnd(22) +
        String(r.bad).padStart(8),
    );
  }
}

function stop() {
  if (dev?.pid) {
    try {
      process.kill(-dev.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  rmSync(persist, { recursive: true, force: true });
}

main()
  .then(async () => {
    stop();
    await sleep(500);
  })
  .catch((err) => {
    console.error(err);
    stop();
    process.exitCode = 1;
  });
