// Shared benchmark helpers: a fresh `wrangler dev` on its own persisted state, autocannon
// runs, and a report of every route as a ratio to the runtime's floor (GET /healthz)
// measured in the same run. Figures are printed, never asserted.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { ensureDevVars } from "../scripts/dev-vars.mjs";

const WRANGLER = "node_modules/.bin/wrangler";

export function d1(persistDir, args) {
  const r = spawnSync(WRANGLER, ["d1", ...args, "--local", "--persist-to", persistDir], {
    encoding: "utf8",
    env: { ...process.env, CI: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`wrangler d1 ${args.join(" ")} failed:\n${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * Migrates a fresh local D1 and serves the worker on `port`. With `logFile`, wrangler's
 * output (the worker's console included) is written there instead of being dropped.
 */
export async function startServer({
  port,
  persistDir = mkdtempSync(join(tmpdir(), "anyreach-bench-")),
  vars = {},
  logFile,
}) {
  // Development mode (the local mailbox the seeders read codes from) and the relaxed
  // per-address sign-in limit come from .dev.vars, as under `npm start`.
  ensureDevVars();
  d1(persistDir, ["migrations", "apply", "DB"]);
  if (logFile) writeFileSync(logFile, "");
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn(
    WRANGLER,
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistDir, ...varArgs],
    {
      stdio: ["ignore", logFile ? openSync(logFile, "a") : "ignore", "pipe"],
      detached: true, // its own process group, so workerd dies with it
      env: { ...process.env, CI: "1" },
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
    if (logFile) appendFileSync(logFile, d);
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  };
  process.on("exit", stop);
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok)
        return { base, persistDir, stop, cleanup: () => rmSync(persistDir, { recursive: true, force: true }) };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error(`wrangler dev did not start:\n${stderr}`);
}

/** fetch(), tried again (3 attempts, 500 ms apart) when wrangler dev drops a connection while it settles after start-up. */
export async function fetchSettling(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** One autocannon run; returns requests/s and latency percentiles (ms) and non-2xx count. */
export async function measure(name, opts) {
  const result = await autocannon({ connections: 10, duration: Number(process.env.BENCH_SECONDS ?? 8), ...opts });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
    total: result.requests.total,
  };
}

/** Prints each row against the floor; `targets[name] = { rps: min ratio, p99: max ratio }`. */
export function report(title, floor, rows, targets = {}) {
  const fmt = (n, d = 0) => n.toFixed(d).padStart(8);
  console.log(`\n${title}`);
  console.log(
    `${"route".padEnd(48)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"×floor".padStart(8)} ${"p99×fl".padStart(8)} ${"non2xx".padStart(7)}  target`,
  );
  for (const r of [floor, ...rows]) {
    const ratio = r.rps / floor.rps;
    const p99r = r.p99 / Math.max(floor.p99, 1);
    const t = targets[r.name];
    const verdict = !t
      ? ""
      : `${ratio >= (t.rps ?? 0) && p99r <= (t.p99 ?? Infinity) ? "MET" : "MISSED"} (≥${t.rps ?? "-"}×${t.p99 ? `, p99 ≤${t.p99}×` : ""})`;
    console.log(
      `${r.name.padEnd(48)} ${fmt(r.rps)} ${fmt(r.p50, 1)} ${fmt(r.p99, 1)} ${fmt(ratio, 2)} ${fmt(p99r, 2)} ${String(r.non2xx).padStart(7)}  ${verdict}`,
    );
  }
}

/** Averages two floor runs (before and after) so drift during the run is visible and halved. */
export function mergeFloor(a, b) {
  return {
    name: "GET /healthz (floor, mean of 2)",
    rps: (a.rps + b.rps) / 2,
    p50: (a.p50 + b.p50) / 2,
    p99: (a.p99 + b.p99) / 2,
    non2xx: a.non2xx + b.non2xx,
  };
}
