// Issue 11: a custom host must cost no D1 trip once cached. Branded GET / and GET /branding.json
// on an active custom domain, and GET / on an unknown host (a 404 page, cached as "nothing"),
// each against GET /healthz in the same run. The Host header is sent explicitly.
// Usage: node bench/domains.mjs   (BENCH_SECONDS=8 per route; BENCH_PORT=8797)
import { startServer, measure, report, mergeFloor } from "./lib.mjs";
import { seedDemo, api } from "../scripts/demo-seed.mjs";

const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 8797) });
try {
  const demo = await seedDemo(server.base, "bench-domains@anyreach.local");
  const token = demo.apiKey;
  const domain = `brand-${Date.now().toString(36)}.example.com`;
  const claimed = await api(server.base, "PUT", "/admin/organization/domain", { token, body: { domain } });
  const [record] = claimed.verification;
  await api(server.base, "POST", "/dev/dns", { body: { type: "TXT", name: record.name, value: record.value } });
  const verified = await api(server.base, "POST", "/admin/organization/domain/verify", { token });
  if (verified.status !== "active") throw new Error(`domain not active: ${JSON.stringify(verified)}`);
  await api(server.base, "PUT", "/admin/organization/branding", {
    token,
    body: { display_name: "Bench Brand", primary_color: "#112233", logo_url: "https://cdn.example.com/logo.png" },
  });

  const floorA = await measure("GET /healthz", { url: `${server.base}/healthz` });
  const rows = [
    await measure("GET / (custom host, branded page)", { url: `${server.base}/`, headers: { host: domain } }),
    await measure("GET /branding.json (custom host)", {
      url: `${server.base}/branding.json`,
      headers: { host: domain },
    }),
    // Every answer here is the 404 page, so non2xx counts all of them.
    await measure("GET / (unknown host, 404 page)", {
      url: `${server.base}/`,
      headers: { host: "nobody.example.net" },
    }),
  ];
  const floorB = await measure("GET /healthz", { url: `${server.base}/healthz` });
  const target = { rps: 0.7 };
  report(
    "Custom hosts vs the runtime floor (10 connections)",
    mergeFloor(floorA, floorB),
    rows,
    Object.fromEntries(rows.map((r) => [r.name, target])),
  );
} finally {
  server.stop();
  server.cleanup();
}
