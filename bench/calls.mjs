// Benchmark of the call hot path, one org's Durable Object, provisioning and usage lag.
// The balance check is always on (issue 10): every org's Durable Object refuses calls when
// its payer's balance is used up, and every ended call is charged through the usage queue.
// The seeded orgs get a large top-up (direct D1, the ledger's trigger books it) so calls
// are granted; 402 refusals are counted and must stay 0.
// Plain Node ESM: `node bench/calls.mjs`. Starts its own `wrangler dev` on 127.0.0.1:8794
// over a fresh temporary --persist-to directory, seeds through the API, prints figures.
// Absolute numbers depend on the machine (and on whatever else shares its cores); the
// ratios to the GET /healthz floor measured in the same run are what to compare.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { ensureDevVars } from "../scripts/dev-vars.mjs";

const PORT = 8794;
const BASE = `http://127.0.0.1:${PORT}`;
const WRANGLER = "node_modules/.bin/wrangler";
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ORGS = Number(process.env.BENCH_ORGS ?? 100);
// BENCH_ONLY=across stops after the calls-across-orgs phase. BENCH_BILLING=off is for a worker
// that has no billing at all (bench/billing-overhead.mjs runs this file against the last
// commit before billing): no ledger to fund, no charges to count.
const ONLY_ACROSS = process.env.BENCH_ONLY === "across";
const BILLING = process.env.BENCH_BILLING !== "off";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function api(method, path, { token, org, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (org) headers["x-anyreach-org"] = org;
  // A fresh connection per call with a deadline: a pooled keep-alive socket left over from a
  // long request was seen to stall forever.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(BASE + path, {
        method,
        headers: { ...headers, connection: "close" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    } catch (err) {
      if (attempt >= 3 || method !== "GET") throw err;
    }
  }
}

function startWrangler(dir) {
  mkdirSync("bench/results", { recursive: true });
  const log = openSync("bench/results/calls-wrangler.log", "w");
  // One user creates ORGS + 12 organizations: above the default quotas (README, "Security and limits").
  const quotas = ["MAX_TOP_LEVEL_ORGS_PER_USER", "MAX_FREE_ORGS_PER_USER"].flatMap((k) => ["--var", `${k}:100000`]);
  return spawn(WRANGLER, ["dev", "--ip", "127.0.0.1", "--port", String(PORT), "--persist-to", dir, ...quotas], {
    stdio: ["ignore", log, log],
    detached: true, // its own process group, so workerd can be made to die with it
  });
}

function stopWrangler(child) {
  try {
    process.kill(child.pid, "SIGTERM");
  } catch {}
  // workerd is a child of wrangler: make sure it does not keep serving the port.
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
}

async function signIn(email) {
  await api("POST", "/auth/email/start", { body: { email } });
  for (let i = 0; i < 100; i++) {
    const box = await api("GET", `/dev/outbox?to=${encodeURIComponent(email)}`);
    const m = box.json?.data?.[0] && /\b(\d{6})\b/.exec(box.json.data[0].subject);
    if (m) return (await api("POST", "/auth/email/verify", { body: { email, code: m[1] } })).json;
    await sleep(100);
  }
  throw new Error("no sign-in mail");
}

const progress = (msg) => process.stderr.write(`[bench] ${msg}\n`);

async function waitActive(token, orgId, t0) {
  for (;;) {
    if (Date.now() - t0 > 60_000) throw new Error(`org ${orgId} not active after 60 s`);
    const r = await api("GET", "/admin/organization/provisioning", { token, org: orgId });
    if (r.json?.status === "active") return Date.now() - t0;
    if (r.json?.status === "provisioning_failed") throw new Error(`provisioning failed: ${r.json.failure_reason}`);
    await sleep(50);
  }
}

const run = (opts) => autocannon({ connections: 10, duration: DURATION, ...opts });

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "bench-calls-"));
  try {
    await fetch(`${BASE}/healthz`);
    throw new Error(`port ${PORT} is already serving: stop that server first`);
  } catch (err) {
    if (String(err.message).startsWith("port")) throw err;
  }
  // Development mode (the local mailbox sign-in reads codes from) comes from .dev.vars, as under `npm start`.
  ensureDevVars();
  execFileSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir], { stdio: "ignore" });
  const wrangler = startWrangler(dir);
  for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
      stopWrangler(wrangler);
      process.exit(130);
    });
  }
  const out = {};
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${BASE}/healthz`)).ok) break;
      } catch {}
      if (i > 300) throw new Error("wrangler dev did not start");
      await sleep(100);
    }

    progress("wrangler dev is up; seeding");
    // Seed: one user; ORGS orgs created through the API (timing creation → active); a key each.
    const { token } = await signIn(`bench${Date.now()}@example.com`);
    const orgs = [];
    const activeMs = [];
    for (let i = 0; i < ORGS; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, ORGS - i) }, async (_, j) => {
          const t0 = Date.now();
          const created = await api("POST", "/admin/organizations", { token, body: { name: `Bench ${i + j}` } });
          if (created.status !== 201) throw new Error(`create org: ${created.status}`);
          activeMs.push(await waitActive(token, created.json.id, t0));
          const key = await api("POST", "/admin/organization-pats", {
            token,
            org: created.json.id,
            body: { name: "bench" },
          });
          orgs.push({ id: created.json.id, key: key.json.token });
        }),
      );
    }
    // More orgs kept out of the round-robin load (a request cut off by autocannon's clock
    // can leave a lease behind): two for the single-object runs, ten for the usage probe.
    const hotOrgs = [];
    for (const name of ["Hot DO", "Hot HTTP", ...Array.from({ length: 10 }, (_, i) => `Probe ${i}`)]) {
      const created = await api("POST", "/admin/organizations", { token, body: { name } });
      await waitActive(token, created.json.id, Date.now());
      const key = await api("POST", "/admin/organization-pats", {
        token,
        org: created.json.id,
        body: { name: "bench" },
      });
      hotOrgs.push({ id: created.json.id, key: key.json.token });
    }
    // A balance for every seeded org, booked in the ledger like a top-up. The Durable Objects
    // still hold the trial credit pushed at provisioning (positive: calls are granted); the
    // usage consumer's first charge of an org pushes the new balance — and its plan's limit,
    // so the two single-object orgs (limit 5 below) are put on smb (limit 5) too.
    const seededIds = [...orgs, ...hotOrgs].map((o) => `'${o.id}'`).join(", ");
    const hotIds = hotOrgs
      .slice(0, 2)
      .map((o) => `'${o.id}'`)
      .join(", ");
    if (BILLING) {
      execFileSync(
        WRANGLER,
        [
          ...["d1", "execute", "DB", "--local", "--persist-to", dir, "--yes", "--command"],
          `INSERT INTO ledger_entries (id, org_id, kind, amount_cents, reference, description, created_at)
         SELECT 'led_' || lower(hex(randomblob(10))), org_id, 'top_up', 100000000, 'bench:' || org_id, 'Bench balance',
                ${Date.now()}
         FROM billing_accounts WHERE org_id IN (${seededIds});
         UPDATE billing_accounts SET plan = 'smb', status = 'active', trial_ends_at = NULL WHERE org_id IN (${hotIds})`,
        ],
        { stdio: "ignore", env: { ...process.env, CI: "1" } },
      );
    }
    out.org_create_to_active_ms = {
      p50: pct(activeMs, 50),
      p90: pct(activeMs, 90),
      max: Math.max(...activeMs),
      n: activeMs.length,
    };

    progress(`seeded ${orgs.length} orgs; measuring`);
    // Floor: a trivial route.
    const floor = await run({ url: `${BASE}/healthz` });
    out.healthz_rps = floor.requests.average;

    // Calls autocannon started but, stopped by the clock, never ended: end them so the
    // phases after this one start from free slots.
    const open = new Map();
    const endOpenCalls = async () => {
      for (const [id, org] of open) await api("POST", `/admin/calls/${id}/end`, { token: org.key });
      open.clear();
    };

    progress("calls across orgs");
    // Call start + end across all orgs; every pair takes the next org round-robin.
    let next = 0;
    let refused = 0;
    let refused402 = 0;
    const calls = await run({
      url: BASE,
      requests: [
        {
          method: "POST",
          path: "/admin/calls",
          setupRequest: (req, ctx) => {
            ctx.org = orgs[next++ % orgs.length];
            return {
              ...req,
              headers: { authorization: `Bearer ${ctx.org.key}`, "content-type": "application/json" },
              body: '{"channel":"voice","direction":"outbound"}',
            };
          },
          onResponse: (status, body, ctx) => {
            ctx.callId = status === 201 ? JSON.parse(body).id : "call_refused";
            if (status === 201) open.set(ctx.callId, ctx.org);
            if (status === 429) refused++;
            if (status === 402) refused402++;
          },
        },
        {
          method: "POST",
          setupRequest: (req, ctx) => ({
            ...req,
            path: `/admin/calls/${ctx.callId}/end`,
            // Named JSON like every other request of the run (a bodiless POST needs no content-type).
            headers: { authorization: `Bearer ${ctx.org.key}`, "content-type": "application/json" },
          }),
          onResponse: (_status, _body, ctx) => open.delete(ctx.callId),
        },
      ],
    });
    await endOpenCalls();
    // The floor again: other work on the machine moves both, so compare with the mean.
    const floorAfter = await run({ url: `${BASE}/healthz` });
    out.healthz_rps_after = floorAfter.requests.average;
    const floorRps = (floor.requests.average + floorAfter.requests.average) / 2;
    out.calls_start_end = {
      rps: calls.requests.average,
      p50_ms: calls.latency.p50,
      non2xx: calls.non2xx,
      refused_429: refused,
      refused_402: refused402,
      errors: calls.errors,
    };
    out.calls_ratio_to_floor = calls.requests.average / floorRps;
    progress(
      `floor ${floorRps.toFixed(0)} req/s; calls ${calls.requests.average.toFixed(0)} req/s (${out.calls_ratio_to_floor.toFixed(2)}x)`,
    );

    if (!ONLY_ACROSS) {
      progress("one object, driven in the worker");
      // One org's Durable Object: acquire/release pairs driven inside the worker (10 in
      // parallel against a limit of 5, so refusals happen), then counted by the object.
      const hot = hotOrgs[0];
      await api("POST", `/dev/organizations/${hot.id}/concurrency-limit`, { body: { limit: 5 } });
      await api("POST", "/dev/concurrency/drive", { body: { org_id: hot.id, pairs: 500, parallel: 10 } }); // warm-up
      const drive = (
        await api("POST", "/dev/concurrency/drive", { body: { org_id: hot.id, pairs: 10_000, parallel: 10 } })
      ).json;
      const after = (await api("GET", `/dev/organizations/${hot.id}/concurrency`)).json;
      out.one_object = {
        granted_pairs_per_s: Math.round((drive.granted / drive.elapsed_ms) * 1000),
        attempts_per_s: Math.round(((drive.granted + drive.refused) / drive.elapsed_ms) * 1000),
        granted: drive.granted,
        refused: drive.refused,
        limit: after.limit,
        peak_leases_held: after.peak,
        max_held_seen_by_driver: drive.max_held,
        active_after: after.active,
        oversubscribed: after.peak > after.limit || drive.max_held > after.limit,
      };

      progress(
        `one object: ${out.one_object.granted_pairs_per_s} granted pairs/s, peak ${after.peak} of ${after.limit}`,
      );
      progress("one object over HTTP");
      // The same object over HTTP (10 connections, limit 5): pairs/s and the object's peak.
      const hotHttp = hotOrgs[1];
      await api("POST", `/dev/organizations/${hotHttp.id}/concurrency-limit`, { body: { limit: 5 } });
      let httpRefused = 0;
      const oneHttp = await run({
        url: BASE,
        requests: [
          {
            method: "POST",
            path: "/admin/calls",
            headers: { authorization: `Bearer ${hotHttp.key}`, "content-type": "application/json" },
            body: '{"channel":"voice","direction":"outbound"}',
            onResponse: (status, body, ctx) => {
              ctx.callId = status === 201 ? JSON.parse(body).id : "call_refused";
              if (status === 201) open.set(ctx.callId, hotHttp);
              if (status === 429) httpRefused++;
            },
          },
          {
            method: "POST",
            setupRequest: (req, ctx) => ({
              ...req,
              path: `/admin/calls/${ctx.callId}/end`,
              // Named JSON like every other request of the run (a bodiless POST needs no content-type).
              headers: { authorization: `Bearer ${hotHttp.key}`, "content-type": "application/json" },
            }),
            onResponse: (_status, _body, ctx) => open.delete(ctx.callId),
          },
        ],
      });
      await endOpenCalls();
      const peakHttp = (await api("GET", `/dev/organizations/${hotHttp.id}/concurrency`)).json;
      out.one_object_http = {
        pairs_per_s: oneHttp.requests.average / 2,
        refused_429: httpRefused,
        peak: peakHttp.peak,
        limit: peakHttp.limit,
        oversubscribed: peakHttp.peak > peakHttp.limit,
      };

      progress("usage lag");
      // Usage lag: end a call, poll the summary until it counts it.
      await sleep(3000);
      const lags = [];
      for (const o of hotOrgs.slice(2)) {
        const before = (await api("GET", "/admin/usage/summary", { token: o.key })).json.voice_calls;
        const c = await api("POST", "/admin/calls", { token: o.key, body: { channel: "voice", direction: "inbound" } });
        if (c.status !== 201) throw new Error(`usage probe: call refused (${c.status})`);
        await api("POST", `/admin/calls/${c.json.id}/end`, { token: o.key });
        const t0 = Date.now();
        while ((await api("GET", "/admin/usage/summary", { token: o.key })).json.voice_calls === before)
          await sleep(50);
        lags.push(Date.now() - t0);
      }
      out.usage_visible_after_end_ms = { p50: pct(lags, 50), max: Math.max(...lags), n: lags.length };

      if (BILLING) {
        // The charges the run booked (the usage consumer, in the batch of the usage rows).
        await sleep(4000);
        const booked = JSON.parse(
          execFileSync(
            WRANGLER,
            [
              ...["d1", "execute", "DB", "--local", "--persist-to", dir, "--json", "--command"],
              "SELECT count(*) AS n, coalesce(-sum(amount_cents), 0) AS cents FROM ledger_entries WHERE kind = 'usage_charge'",
            ],
            { encoding: "utf8", env: { ...process.env, CI: "1" } },
          ),
        )[0].results[0];
        out.usage_charges = { entries: booked.n, cents: booked.cents };
      }
    }
  } finally {
    stopWrangler(wrangler);
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(JSON.stringify(out, null, 2));
  if (ONLY_ACROSS) return;
  const ok = (b) => (b ? "PASS" : "FAIL");
  console.log(
    `\ncalls start+end across ${ORGS} orgs, balance check on: ${out.calls_ratio_to_floor.toFixed(2)}x of /healthz (target >= 0.5), ${out.calls_start_end.refused_402} refused 402, ${out.usage_charges?.entries ?? "no"} charges booked ${ok(out.calls_ratio_to_floor >= 0.5 && out.calls_start_end.refused_402 === 0)}`,
  );
  console.log(
    `one Durable Object: ${out.one_object.granted_pairs_per_s} granted pairs/s, oversubscribed=${out.one_object.oversubscribed} (target >= 500, none) ${ok(out.one_object.granted_pairs_per_s >= 500 && !out.one_object.oversubscribed)}`,
  );
  console.log(
    `org creation -> active p50: ${out.org_create_to_active_ms.p50} ms (target <= 5000) ${ok(out.org_create_to_active_ms.p50 <= 5000)}`,
  );
  console.log(
    `usage visible after call end p50/max: ${out.usage_visible_after_end_ms.p50}/${out.usage_visible_after_end_ms.max} ms (target <= 5000) ${ok(out.usage_visible_after_end_ms.max <= 5000)}`,
  );
  console.log("Figures are noisy on a shared 2-core machine; compare the ratios.");
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
