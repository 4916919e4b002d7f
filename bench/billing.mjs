// Issue 10: billing reads against the runtime floor (GET /healthz), in one run.
// GET /admin/billing (target ≥ 0.25× the floor) and one page of the ledger, with an org API key.
// Usage: npm run bench:billing   (BENCH_SECONDS=8 per route)
import { startServer, measure, report, mergeFloor } from "./lib.mjs";
import { seedDemo } from "../scripts/demo-seed.mjs";

const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 8796) });
try {
  const demo = await seedDemo(server.base, "bench-billing@anyreach.local");
  const headers = { authorization: `Bearer ${demo.apiKey}` };
  const floorA = await measure("GET /healthz", { url: `${server.base}/healthz` });
  const rows = [
    await measure("GET /admin/billing (ak_)", { url: `${server.base}/admin/billing`, headers }),
    await measure("GET /admin/billing (child billed to agency)", {
      url: `${server.base}/admin/billing`,
      headers: { authorization: `Bearer ${demo.session}`, "x-anyreach-org": demo.child.id },
    }),
    await measure("GET /admin/billing/ledger?limit=25 (ak_)", {
      url: `${server.base}/admin/billing/ledger?limit=25`,
      headers,
    }),
  ];
  const floorB = await measure("GET /healthz", { url: `${server.base}/healthz` });
  report("Billing reads vs the runtime floor (10 connections)", mergeFloor(floorA, floorB), rows, {
    "GET /admin/billing (ak_)": { rps: 0.25 },
    "GET /admin/billing (child billed to agency)": { rps: 0.25 },
  });
} finally {
  server.stop();
  server.cleanup();
}
