// The web console in a real browser: Debian's Chromium driven by playwright-core against a
// fresh `wrangler dev` (bench/lib.mjs). Run by `npm run test:e2e`; screenshots of each screen
// go to test/e2e/artifacts/ (git-ignored).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { startServer } from "../../bench/lib.mjs";

const ARTIFACTS = "test/e2e/artifacts";
mkdirSync(ARTIFACTS, { recursive: true });
const started = Date.now();
const server = await startServer({ port: Number(process.env.E2E_PORT ?? 8798) });
const { base } = server;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

const shot = (page, name) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
const step = (name) => console.log(`· ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

async function api(method, path, { token, org, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (org) headers["x-anyreach-org"] = org;
  const res = await fetch(`${base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function latestCode(email) {
  for (let i = 0; i < 100; i++) {
    const { data } = await api("GET", `/dev/outbox?to=${encodeURIComponent(email)}`);
    const m = data[0] && /\b(\d{6})\b/.exec(data[0].body);
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code for ${email}`);
}

async function signIn(page, email) {
  await page.goto(`${base}/`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("Code").waitFor();
  await page.getByLabel("Code").fill(await latestCode(email));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname.split("/").length === 2 && u.pathname !== "/sign-in" && u.pathname !== "/");
}

const run = Date.now().toString(36);
const owner = `owner-${run}@e2e.local`;
const member = `member-${run}@e2e.local`;
let failed = false;
try {
  const ctxA = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const a = await ctxA.newPage();

  step("sign in with the code from the outbox");
  await a.goto(`${base}/sign-in`);
  await shot(a, "01-sign-in");
  await signIn(a, owner);
  const cookies = await ctxA.cookies();
  const session = cookies.find((c) => c.name === "anyreach_session");
  assert.ok(session?.httpOnly, "the session cookie is HttpOnly");
  assert.equal(session.sameSite, "Lax");
  const firstSlug = new URL(a.url()).pathname.slice(1);
  await shot(a, "02-org-home");

  step("create an organization and see the URL switch");
  await a.getByRole("button", { name: /\(owner\)/ }).click();
  await a.getByRole("link", { name: "Create organization" }).click();
  await a.getByRole("button", { name: "Create" }).click();
  await a.getByText("Too small").or(a.locator(".error")).first().waitFor();
  const agencySlug = `agency-${run}`;
  await a.getByLabel("Name").fill("Agency E2E");
  await a.getByLabel("Slug").fill(agencySlug);
  await a.getByText(`"${agencySlug}" is available.`).waitFor();
  await a.getByLabel("Slug").fill(firstSlug);
  await a.getByText("This slug is taken.").waitFor();
  await a.getByLabel("Slug").fill(agencySlug);
  await shot(a, "03-create-organization");
  await a.getByRole("button", { name: "Create" }).click();
  await a.waitForURL(`${base}/${agencySlug}`);
  assert.ok(await a.getByRole("button", { name: /Agency E2E/ }).isVisible(), "the switcher names the new org");

  step("the switcher lists both orgs and filters them");
  await a.getByRole("button", { name: /Agency E2E/ }).click();
  await a.getByLabel("Filter organizations").fill("agency");
  assert.equal(await a.locator("#ctx-orgs li:not([hidden])").count(), 1);
  await shot(a, "04-context-switcher");
  await a.keyboard.press("Escape");

  step("invite a member");
  await a.goto(`${base}/${agencySlug}/organization?tab=members`);
  await a.getByText("Invite", { exact: true }).click();
  await a.getByLabel("Email", { exact: true }).fill(member);
  await a.getByLabel("Role", { exact: true }).selectOption("member");
  await a.getByRole("button", { name: "Send invitation" }).click();
  await a.getByRole("cell", { name: member, exact: true }).waitFor();
  await shot(a, "05-members-owner");

  step("accept as that member in a second browser context");
  const ctxB = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const b = await ctxB.newPage();
  await signIn(b, member);
  await b.goto(`${base}/account/invitations`);
  await b.getByRole("button", { name: "Accept invitation to Agency E2E" }).click();
  await b.waitForURL(`${base}/${agencySlug}`);
  await b.goto(`${base}/${agencySlug}/organization?tab=members`);
  await b.getByText("Failed to load invitations.").waitFor();
  await shot(b, "06-members-as-member-375px");
  const width = await b.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no horizontal scrolling at 375 px (${width})`);

  step("a non-member's slug is a 404 page");
  const res = await b.goto(`${base}/${firstSlug}`);
  assert.equal(res.status(), 404);
  await b.getByRole("heading", { name: "Page not found" }).waitFor();

  step("change the member's role");
  await a.reload();
  await a.getByLabel(`Role of ${member}`, { exact: true }).selectOption("admin");
  await a.getByRole("button", { name: `Change role of ${member}` }).click();
  await a.locator("tr", { hasText: member }).locator(".badge", { hasText: "admin" }).waitFor();

  step("fund the agency org on the agency plan (API set-up), then build a three-level tree");
  const token = cookies.find((c) => c.name === "anyreach_session").value;
  const org = await api("GET", "/admin/organization", { token, org: agencySlug });
  const { url } = await api("POST", "/admin/billing/checkout", { token, org: org.id, body: { plan: "agency" } });
  // The checkout URL names APP_URL's host; this server listens on its own port.
  const local = new URL(url);
  await fetch(`${base}${local.pathname}${local.search}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  for (let i = 0; i < 100; i++) {
    if ((await api("GET", "/admin/billing", { token, org: org.id })).plan === "agency") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await a.goto(`${base}/${agencySlug}/partner-console`);
  for (const [name, slug] of [
    ["Client One", `client-${run}`],
    ["Site Two", `site-${run}`],
  ]) {
    await a.getByLabel("Name", { exact: true }).fill(name);
    await a.getByLabel("Slug", { exact: true }).fill(slug);
    await a.getByRole("button", { name: "New organization" }).click();
    await a.waitForURL(/selected=org_/);
  }
  await shot(a, "07-partner-console");

  step("find the grandchild by search and read its breadcrumb");
  await a.getByLabel("Search organizations").fill(`site-${run}`);
  await a.getByRole("button", { name: "Search", exact: true }).click();
  const crumb = await a.getByRole("list", { name: "Search results" }).locator(".crumb").first().textContent();
  assert.equal(crumb, `${agencySlug} › client-${run} › site-${run}`);
  await shot(a, "08-partner-search");

  step("open the grandchild's usage tab");
  await a
    .getByRole("list", { name: "Search results" })
    .getByRole("link", { name: `site-${run}` })
    .click();
  await a.getByRole("heading", { name: `Selected: site-${run}` }).waitFor();
  await a.getByRole("navigation", { name: "Selected organization" }).getByRole("link", { name: "Usage" }).click();
  await a.getByLabel("Scope").selectOption("single");
  await a.getByRole("button", { name: "Show usage" }).click();
  await a.getByRole("rowheader", { name: "Calls" }).waitFor();
  assert.match(a.url(), /tab=usage/);
  await shot(a, "08b-partner-usage");

  step("usage and billing pages");
  await a.goto(`${base}/${agencySlug}/usage`);
  await a.getByRole("img", { name: "Calls and workflow runs per day" }).waitFor();
  await shot(a, "10-usage");
  await a.goto(`${base}/${agencySlug}/billing`);
  await a.getByText("agency", { exact: true }).first().waitFor();
  await shot(a, "11-billing");
  await a.goto(`${base}/${agencySlug}/api-keys`);
  await a.getByLabel("Name", { exact: true }).fill("e2e key");
  await a.getByRole("button", { name: "Create API key" }).click();
  assert.match(await a.getByLabel("New API key").inputValue(), /^ak_/);
  await shot(a, "12-api-keys");
  await a.goto(`${base}/account/tokens`);
  await a.getByLabel("Name", { exact: true }).fill("e2e token");
  await a.getByRole("button", { name: "Create personal access token" }).click();
  assert.match(await a.getByLabel("New personal access token").inputValue(), /^pat_/);
  await shot(a, "13-account-tokens");
  await a.goto(`${base}/${agencySlug}/partner-console`);

  step("keyboard-only navigation of the tree");
  const root = a.getByRole("treeitem", { name: agencySlug });
  await root.focus();
  await a.keyboard.press("ArrowRight");
  await a.getByRole("treeitem", { name: `client-${run}` }).waitFor();
  await a.keyboard.press("ArrowDown");
  assert.equal(await a.evaluate(() => document.activeElement.getAttribute("aria-label")), `client-${run}`);
  await a.keyboard.press("ArrowRight");
  await a.getByRole("treeitem", { name: `site-${run}` }).waitFor();
  await a.keyboard.press("ArrowDown");
  assert.equal(await a.evaluate(() => document.activeElement.getAttribute("aria-label")), `site-${run}`);
  await a.keyboard.press("ArrowLeft");
  assert.equal(await a.evaluate(() => document.activeElement.getAttribute("aria-label")), `client-${run}`);
  await shot(a, "09-partner-tree-keyboard");
  await a.keyboard.press("Enter");
  await a.waitForURL(/selected=org_/);
  await a.getByRole("heading", { name: `Selected: client-${run}` }).waitFor();

  step("invite to the selected node from its Members tab");
  await a.getByLabel("Email", { exact: true }).fill(`node-${run}@example.com`);
  await a.getByLabel("Role", { exact: true }).selectOption("viewer");
  await a.getByRole("button", { name: "Send invitation" }).click();
  await a
    .getByRole("list", { name: `Pending invitations to client-${run}` })
    .getByText(`node-${run}@example.com`)
    .waitFor();
  await shot(a, "09b-partner-node-invite");

  step("set a custom domain and read the DNS records to create");
  await a.goto(`${base}/${agencySlug}/organization?tab=general`);
  await a.getByLabel("Domain", { exact: true }).fill(`app-${run}.example.com`);
  await a.getByRole("button", { name: "Set domain" }).click();
  await a
    .getByRole("table", { name: "DNS records to create" })
    .getByText(`_anyreach-challenge.app-${run}.example.com`)
    .waitFor();
  await a.getByRole("button", { name: "Verify" }).waitFor();
  await shot(a, "04b-settings-domain");

  step("sign out");
  await a.getByRole("button", { name: "Sign out" }).click();
  await a.waitForURL(`${base}/sign-in`);
  await ctxB.close();
  await ctxA.close();
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await browser.close();
  server.stop();
  server.cleanup();
}
console.log(`${failed ? "FAILED" : "ok"}: web console e2e in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
