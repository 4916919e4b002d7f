// What the balance check costs the call path (issue 10): `POST /admin/calls` + end across 100
// orgs, as bench/calls.mjs measures it (its first phase only), on this checkout and on the last
// commit before billing existed, alternating, each against its own GET /healthz floor in the
// same run. Ratios to the floor are compared, not req/s: the machine is shared and drifts.
//
//   node bench/billing-overhead.mjs [--rounds 3]      (npm run bench:billing-overhead)
//
// The commit before billing is exported with `git archive` into a temporary folder (so it
// needs the repository's history, not a shallow clone) and runs this checkout's bench/calls.mjs
// with BENCH_BILLING=off; both use this checkout's node_modules (the same pinned versions).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The parent of 90ceb63 "Billing core": the product with calls and usage, without billing. */
const BEFORE_BILLING = "e189a97773a8484cce1b25e56c4bface8fe79334";
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg("rounds", 3);
const here = resolve(".");
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function exportBaseline() {
  const dir = mkdtempSync(join(tmpdir(), "bench-before-billing-"));
  try {
    execFileSync("git", ["cat-file", "-e", `${BEFORE_BILLING}^{commit}`], { stdio: "ignore" });
  } catch {
    throw new Error(`commit ${BEFORE_BILLING} is not in this clone (a shallow clone?): git fetch --unshallow`);
  }
  execFileSync("sh", ["-c", `git archive ${BEFORE_BILLING} | tar -x -C "${dir}"`]);
  symlinkSync(join(here, "node_modules"), join(dir, "node_modules"));
  copyFileSync(join(here, "bench/calls.mjs"), join(dir, "bench/calls.mjs"));
  return dir;
}

/** One run of bench/calls.mjs's first phase in `cwd`; its JSON report. */
function across(cwd, billing) {
  const r = spawnSync("node", ["bench/calls.mjs"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, BENCH_ONLY: "across", BENCH_BILLING: billing ? "on" : "off" },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench/calls.mjs in ${cwd} failed:\n${r.stderr.slice(-2000)}`);
  const out = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
  const floor = (out.healthz_rps + out.healthz_rps_after) / 2;
  return {
    floor,
    rps: out.calls_start_end.rps,
    ratio: out.calls_ratio_to_floor,
    non2xx: out.calls_start_end.non2xx,
    refused402: out.calls_start_end.refused_402,
  };
}

const baseline = exportBaseline();
const rows = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which side goes first, so a drift in the machine's load favours neither.
    const order = round % 2 ? ["without", "with"] : ["with", "without"];
    for (const side of order) {
      process.stderr.write(`[overhead] round ${round}/${ROUNDS}: ${side} billing\n`);
      rows.push({ round, side, ...(side === "with" ? across(here, true) : across(baseline, false)) });
    }
  }
} finally {
  rmSync(baseline, { recursive: true, force: true });
}

const of = (side) => rows.filter((r) => r.side === side);
const med = (side, k) => median(of(side).map((r) => r[k]));
const withRatio = med("with", "ratio");
const withoutRatio = med("without", "ratio");
// The two runs of a round are minutes apart and the machine's load drifts more than that
// between rounds, so the verdict is on each round's own pair: with ÷ without, median of rounds.
const paired = Array.from({ length: ROUNDS }, (_, i) => {
  const pair = rows.filter((r) => r.round === i + 1);
  return pair.find((r) => r.side === "with").ratio / pair.find((r) => r.side === "without").ratio;
});
const pairedMedian = median(paired);
// "No worse than without", within the spread seen between identical runs here (about ±10 %).
const met = pairedMedian >= 0.9;
const lines = [
  `# Call path with and without billing — ${new Date().toISOString().slice(0, 10)}`,
  "",
  `\`node bench/billing-overhead.mjs --rounds ${ROUNDS}\`: POST /admin/calls + end across 100 orgs (10 connections,`,
  `${process.env.BENCH_DURATION ?? 10} s), this checkout (balance check on, every ended call charged) against ${BEFORE_BILLING.slice(0, 7)}`,
  "(the last commit before billing), alternating; ratio = req/s ÷ that run's own GET /healthz floor.",
  "",
  "| round | side | floor req/s | calls req/s | ratio to floor | non-2xx | 402 |",
  "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.round} | ${r.side} billing | ${r.floor.toFixed(0)} | ${r.rps.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.non2xx} | ${r.refused402 ?? "-"} |`,
  ),
  "",
  `With ÷ without, per round: ${paired.map((x) => x.toFixed(2)).join(", ")}; median ${pairedMedian.toFixed(2)}. ` +
    `Target "no worse than without": ${met ? "MET" : "MISSED"} (median ≥ 0.9).`,
  `Median ratio to the floor by side: with billing ${withRatio.toFixed(2)}×, without ${withoutRatio.toFixed(2)}×.`,
];
console.log(lines.join("\n"));
mkdirSync("bench/results", { recursive: true });
writeFileSync(`bench/results/billing-overhead-${new Date().toISOString().slice(0, 10)}.md`, `${lines.join("\n")}\n`);
