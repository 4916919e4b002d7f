// Issue 5: the partner console on a tree of 111,111 orgs (fan-out 10, depth 5, 30 days of
// daily usage for every org) against a small tree (fan-out 4, depth 5: 1,365 orgs), under
// `wrangler dev` on port 8795, every figure next to GET /healthz measured in the same run.
//
//   node bench/tree.mjs            (BENCH_SECONDS=6 per route, BENCH_ROUNDS=3 alternated rounds)
//
// Then, with the server stopped, the same SQL is timed directly in the local D1 file
// (wrangler d1 execute --json, meta.duration) for the strategies that lost: a plain recursive
// CTE search and usage summed from the per-org rollups at query time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, measure, d1 } from "./lib.mjs";
import { signIn, api } from "../scripts/demo-seed.mjs";
import { seedTree } from "./seed-tree.mjs";

const PORT = 8795;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const END_DAY = "2026-11-22";
const WINDOW = `from=2026-10-24T00:00:00Z&to=${END_DAY}T23:59:59Z`;
const P = "/admin/partner-console";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seqId = (n) => `org_s${String(n).padStart(7, "0")}`;

/** A migrated DB with a signed-in owner, their org API key, and the tree seeded under their org. */
async function prepare(name, fanout, depth) {
  const persistDir = mkdtempSync(join(tmpdir(), `tree-bench-${name}-`));
  const server = await startServer({ port: PORT, persistDir });
  let creds;
  try {
    const email = `bench-${name}@anyreach.local`;
    const { token: session, organizations } = await signIn(server.base, email);
    const org = organizations[0];
    const key = await api(server.base, "POST", "/admin/organization-pats", {
      token: session,
      org: org.id,
      body: { name: "tree bench" },
    });
    creds = { orgId: org.id, key: key.token };
  } finally {
    server.stop();
    await new Promise((r) => setTimeout(r, 1000));
  }
  const seeded = seedTree({ root: creds.orgId, persistTo: persistDir, fanout, depth, days: 30, end: END_DAY });
  const firstOfDepth = (d) => (fanout ** d - 1) / (fanout - 1);
  console.log(
    `seeded ${name}: ${seeded.orgs} orgs, ${seeded.usage_rows} rollup rows in ${seeded.seconds.toFixed(1)} s`,
  );
  return {
    name,
    persistDir,
    ...creds,
    orgs: seeded.orgs,
    deep: seqId(firstOfDepth(depth + 1) - 1),
    mid: seqId(firstOfDepth(2) - 1),
  };
}

/** One round on one tree: floor, the size-independent routes, floor again. */
async function round(tree, extra) {
  const server = await startServer({ port: PORT, persistDir: tree.persistDir });
  try {
    const headers = { authorization: `Bearer ${tree.key}` };
    const get = (path) => ({ url: `${server.base}${path}`, headers, duration: SECONDS });
    await measure("warm-up", { ...get(`${P}/organizations`), duration: 2 });
    const rows = {};
    rows.floorA = await measure("GET /healthz", { url: `${server.base}/healthz`, duration: SECONDS });
    rows.children = await measure("list children (root)", get(`${P}/organizations`));
    rows.deepChildren = await measure(
      "list children (depth-5 parent: subtree check)",
      get(`${P}/organizations?parent_id=${tree.deep}`),
    );
    rows.view = await measure("view child (depth 5, breadcrumb)", get(`${P}/organizations/${tree.deep}`));
    rows.single = await measure(
      "usage scope=single (depth 5)",
      get(`${P}/usage-summary?${WINDOW}&scope=single&org_id=${tree.deep}`),
    );
    if (extra) {
      // Single requests one after another: `amount` replaces the timed run.
      const one = (path) => {
        const { duration: _timed, ...opts } = get(path);
        return { ...opts, connections: 1, amount: 60 };
      };
      rows.rareSingle = await measure("search rare q (1 connection)", one(`${P}/organizations/search?q=no-such-org`));
      rows.common = await measure("search common q (10 connections)", get(`${P}/organizations/search?q=client-1`));
      rows.usageAllSingle = await measure(
        "usage scope=all, 30 days (1 connection)",
        one(`${P}/usage-summary?${WINDOW}`),
      );
      rows.usageAll = await measure("usage scope=all, 30 days (10 connections)", get(`${P}/usage-summary?${WINDOW}`));
    }
    rows.floorB = await measure("GET /healthz", { url: `${server.base}/healthz`, duration: SECONDS });
    rows.floor = (rows.floorA.rps + rows.floorB.rps) / 2;
    for (const [k, r] of Object.entries(rows)) if (r.non2xx) console.log(`  ! ${tree.name} ${k}: ${r.non2xx} non-2xx`);
    return rows;
  } finally {
    server.stop();
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Median query time (ms) of `sql` in the local D1 file, read from D1's own meta.duration. */
function timeSql(persistDir, sql, runs = 5) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = JSON.parse(d1(persistDir, ["execute", "DB", "--json", "--command", sql]));
    times.push(out[0].meta.duration);
  }
  return median(times);
}
const big = await prepare("111k", 10, 5);
const small = await prepare("1k", 4, 5);
const results = { big: [], small: [] };
for (let i = 0; i < ROUNDS; i++) {
  results.big.push(await round(big, true));
  results.small.push(await round(small, false));
  console.log(`round ${i + 1}/${ROUNDS} done`);
}

const med = (tree, key, field = "rps") => median(results[tree].map((r) => r[key][field]));
const medRatio = (tree, key) => median(results[tree].map((r) => r[key].rps / r.floor));
console.log(
  `\nPartner console, ${ROUNDS} alternated rounds, ${SECONDS} s per route, 10 connections unless said; medians.`,
);
console.log(
  `111k tree: ${big.orgs} orgs; small tree: ${small.orgs} orgs. Floor GET /healthz: ${med("big", "floorA").toFixed(0)} / ${med("small", "floorA").toFixed(0)} req/s.`,
);
console.log(
  `${"route".padEnd(48)} ${"111k req/s".padStart(11)} ${"×floor".padStart(7)} ${"small req/s".padStart(12)} ${"×floor".padStart(7)} ${"small/111k".padStart(11)}  target ≤1.3×`,
);
for (const [key, label] of [
  ["children", "list children (root)"],
  ["deepChildren", "list children (depth-5 parent)"],
  ["view", "view child (depth 5)"],
  ["single", "usage scope=single (depth 5)"],
]) {
  const slow = medRatio("small", key) / medRatio("big", key);
  console.log(
    `${label.padEnd(48)} ${med("big", key).toFixed(0).padStart(11)} ${medRatio("big", key).toFixed(2).padStart(7)} ${med("small", key).toFixed(0).padStart(12)} ${medRatio("small", key).toFixed(2).padStart(7)} ${slow.toFixed(2).padStart(11)}  ${slow <= 1.3 ? "MET" : "MISSED"}`,
  );
}
const rare = med("big", "rareSingle", "p50");
const usage = med("big", "usageAllSingle", "p50");
console.log(`search rare q, 1 connection: p50 ${rare} ms (target ≤ 100) ${rare <= 100 ? "MET" : "MISSED"}`);
console.log(
  `search common q, 10 connections: ${med("big", "common").toFixed(0)} req/s = ${medRatio("big", "common").toFixed(2)}× floor (target ≥ 0.20) ${medRatio("big", "common") >= 0.2 ? "MET" : "MISSED"}`,
);
console.log(
  `usage scope=all over 111k orgs × 30 days, 1 connection: p50 ${usage} ms (target ≤ 100) ${usage <= 100 ? "MET" : "MISSED"}; 10 connections: ${medRatio("big", "usageAll").toFixed(2)}× floor`,
);

// The strategies that lost, timed as SQL in the same D1 file (server stopped).
const root = big.orgId;
const cte = `WITH RECURSIVE d(id, depth) AS (SELECT '${root}', 0 UNION ALL SELECT o.id, d.depth + 1 FROM organizations o JOIN d ON o.parent_id = d.id WHERE d.depth < 64)
SELECT o.id FROM d JOIN organizations o ON o.id = d.id WHERE d.depth > 0 AND (instr(o.slug, 'no-such-org') > 0 OR instr(o.id, 'no-such-org') > 0) LIMIT 26`;
const path = `WITH root AS (SELECT path FROM org_tree WHERE org_id = '${root}')
SELECT t.org_id FROM root JOIN org_tree t ON t.path > root.path AND t.path < substr(root.path, 1, length(root.path) - 1) || '0'
WHERE instr(t.slug, 'no-such-org') > 0 OR instr(t.org_id, 'no-such-org') > 0 ORDER BY t.path LIMIT 26`;
const sumLive = `WITH root AS (SELECT path FROM org_tree WHERE org_id = '${root}')
SELECT sum(u.voice_calls), sum(u.voice_ms), sum(u.chat_calls) FROM root JOIN org_tree t ON t.path >= root.path AND t.path < substr(root.path, 1, length(root.path) - 1) || '0'
JOIN usage_daily u ON u.org_id = t.org_id WHERE u.day >= '2026-10-24' AND u.day <= '${END_DAY}'`;
const sumCte = `WITH RECURSIVE d(id, depth) AS (SELECT '${root}', 0 UNION ALL SELECT o.id, d.depth + 1 FROM organizations o JOIN d ON o.parent_id = d.id WHERE d.depth < 64)
SELECT sum(u.voice_calls), sum(u.voice_ms), sum(u.chat_calls) FROM d JOIN usage_daily u ON u.org_id = d.id WHERE u.day >= '2026-10-24' AND u.day <= '${END_DAY}'`;
const sumAgg = `SELECT sum(voice_calls), sum(voice_ms), sum(chat_calls) FROM usage_subtree_daily WHERE org_id = '${root}' AND day >= '2026-10-24' AND day <= '${END_DAY}'`;
console.log(`\nSQL alone in the 111k D1 file (median of 5, D1 meta.duration):`);
console.log(`  search rare q, plain recursive CTE over parent_id:      ${timeSql(big.persistDir, cte).toFixed(1)} ms`);
console.log(`  search rare q, materialized path range (kept):          ${timeSql(big.persistDir, path).toFixed(1)} ms`);
console.log(
  `  usage scope=all, recursive CTE + per-org rollups:       ${timeSql(big.persistDir, sumCte, 3).toFixed(1)} ms`,
);
console.log(
  `  usage scope=all, path range + per-org rollups:          ${timeSql(big.persistDir, sumLive, 3).toFixed(1)} ms`,
);
console.log(
  `  usage scope=all, pre-aggregated subtree rollups (kept): ${timeSql(big.persistDir, sumAgg).toFixed(1)} ms`,
);
console.log(`\n(2 shared CPU cores: other work on the machine moves absolute figures; compare ratios.)`);

if (!process.env.BENCH_KEEP) for (const t of [big, small]) rmSync(t.persistDir, { recursive: true, force: true });
else console.log(`kept: ${big.persistDir} ${small.persistDir}`);
