// `npm start`: local D1 migrated, demo data seeded through the API, `wrangler dev` served
// on 127.0.0.1:$PORT (default 8787), and how to sign in printed. Ctrl-C stops everything.
import { spawn, spawnSync } from "node:child_process";
import { ensureDevVars } from "./dev-vars.mjs";
import { seedDemo } from "./demo-seed.mjs";

const port = Number(process.env.PORT ?? 8787);
const base = `http://127.0.0.1:${port}`;
const wrangler = "node_modules/.bin/wrangler";

ensureDevVars();
const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local"], {
  stdio: "inherit",
  env: { ...process.env, CI: "1" },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn(wrangler, ["dev", "--ip", "127.0.0.1", "--port", String(port)], {
  stdio: ["ignore", "pipe", "inherit"],
});
dev.stdout.on("data", (d) => process.stdout.write(d));
const stop = () => {
  dev.kill("SIGTERM");
  setTimeout(() => process.exit(0), 500);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
dev.on("exit", (code) => process.exit(code ?? 0));

async function waitHealthy() {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not answer on ${base}`);
}

try {
  await waitHealthy();
  const demo = await seedDemo(base);
  console.log(`
──────────────────────────────────────────────────────────────────────────────
 Anyreach organization API is running on ${base}   (docs: ${base}/docs)
 Web console: ${base}/   (sign in with ${demo.email}; the code is at ${base}/dev/outbox?to=${demo.email})

 Demo org "${demo.org.name}" (${demo.org.slug}, ${demo.org.id}) with child "${demo.child.slug}",
 on the ${demo.billing.plan} plan with a balance of $${(demo.billing.balance.amount_cents / 100).toFixed(2)} (local billing: no card, no network).
 Demo org API key (ak_, shown once):
   ${demo.apiKey}
 Try:
   curl -s ${base}/admin/organization -H "Authorization: Bearer ${demo.apiKey}"
   curl -s ${base}/admin/partner-console/organizations -H "Authorization: Bearer ${demo.apiKey}"
   curl -s ${base}/admin/billing -H "Authorization: Bearer ${demo.apiKey}"
   curl -s -XPOST ${base}/admin/billing/top-ups -H "Authorization: Bearer ${demo.apiKey}" \\
     -H 'content-type: application/json' -d '{"amount_cents":5000}'   # open the url it answers, press Pay

 Sign in as yourself (passwordless; mail stays on this machine):
   curl -s -XPOST ${base}/auth/email/start -H 'content-type: application/json' -d '{"email":"you@example.com"}'
   curl -s '${base}/dev/outbox?to=you@example.com'        # read the 6-digit code
   curl -s -XPOST ${base}/auth/email/verify -H 'content-type: application/json' -d '{"email":"you@example.com","code":"<code>"}'
 Demo user ${demo.email}: session token for the next 7 days:
   ${demo.session}
──────────────────────────────────────────────────────────────────────────────
`);
} catch (err) {
  console.error(`Seeding the demo data failed: ${err.message}`);
  stop();
}
