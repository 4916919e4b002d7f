// Issue 2: credential checks must not cost a D1 round trip per request.
// GET /admin/organization with an org API key, a PAT and a session, against GET /healthz.
// Usage: npm run bench   (or node bench/auth.mjs; BENCH_SECONDS=8 per route)
import { startServer, measure, report, mergeFloor } from "./lib.mjs";
import { seedDemo, api } from "../scripts/demo-seed.mjs";

const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 8791) });
try {
  const demo = await seedDemo(server.base, "bench@anyreach.local");
  const pat = await api(server.base, "POST", "/admin/account/tokens", { token: demo.session, body: { name: "bench" } });
  const url = `${server.base}/admin/organization`;
  const floorA = await measure("GET /healthz", { url: `${server.base}/healthz` });
  const rows = [
    await measure("GET /admin/organization (ak_)", { url, headers: { authorization: `Bearer ${demo.apiKey}` } }),
    await measure("GET /admin/organization (pat_ + X-Anyreach-Org)", {
      url,
      headers: { authorization: `Bearer ${pat.token}`, "x-anyreach-org": demo.org.id },
    }),
    await measure("GET /admin/organization (session + X-Anyreach-Org)", {
      url,
      headers: { authorization: `Bearer ${demo.session}`, "x-anyreach-org": demo.org.id },
    }),
  ];
  const floorB = await measure("GET /healthz", { url: `${server.base}/healthz` });
  const target = { rps: 0.7, p99: 2 };
  report(
    "Authenticated reads vs the runtime floor (10 connections)",
    mergeFloor(floorA, floorB),
    rows,
    Object.fromEntries(rows.map((r) => [r.name, target])),
  );
} finally {
  server.stop();
  server.cleanup();
}
