// Seeds demo data through the public API, exactly as a client would. Safe to run again:
// it signs the demo user in (their first sign-in created their org) and adds what is missing.

async function api(base, method, path, { token, org, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (org) headers["x-anyreach-org"] = org;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${json?.code ?? ""} ${json?.detail ?? ""}`);
  return json;
}

/** Signs `email` in through the real passwordless flow, reading the code from the dev outbox. */
export async function signIn(base, email) {
  const before = (await api(base, "GET", `/dev/outbox?to=${encodeURIComponent(email)}`)).data.length;
  await api(base, "POST", "/auth/email/start", { body: { email } });
  for (let i = 0; i < 200; i++) {
    const mails = (await api(base, "GET", `/dev/outbox?to=${encodeURIComponent(email)}`)).data;
    if (mails.length > before) {
      const code = /\b(\d{6})\b/.exec(mails[0].subject)[1];
      return api(base, "POST", "/auth/email/verify", { body: { email, code } });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no sign-in mail for ${email}`);
}

/**
 * Pays a local Checkout page as its "Pay" button does: the same path a Stripe webhook takes.
 * The page is on this server (the URL names APP_URL, which a benchmark's port may differ from).
 */
async function pay(base, url) {
  const page = new URL(new URL(url).pathname, base);
  const res = await fetch(page, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  if (!res.ok) throw new Error(`paying ${url} → ${res.status}`);
}

/** The demo org is an agency with money, so the partner console and calls work at once. */
async function fundAsAgency(base, session, orgId) {
  const opts = { token: session, org: orgId };
  let billing = await api(base, "GET", "/admin/billing", opts);
  if (billing.plan !== "agency") {
    const { url } = await api(base, "POST", "/admin/billing/checkout", { ...opts, body: { plan: "agency" } });
    await pay(base, url);
  }
  if (billing.balance.amount_cents < 10_000) {
    const { url } = await api(base, "POST", "/admin/billing/top-ups", { ...opts, body: { amount_cents: 25_000 } });
    await pay(base, url);
  }
  for (let i = 0; i < 100; i++) {
    billing = await api(base, "GET", "/admin/billing", opts);
    if (billing.plan === "agency" && billing.balance.amount_cents >= 10_000) return billing;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the demo org's checkout did not complete");
}

export async function seedDemo(base, email = "demo@anyreach.local") {
  const { token: session, organizations } = await signIn(base, email);
  const own = organizations.find((o) => o.roles.includes("owner")) ?? organizations[0];
  const billing = await fundAsAgency(base, session, own.id);
  const org = await api(base, "GET", "/admin/organization", { token: session, org: own.id });
  // One demo key at a time: earlier runs' keys are revoked (an org holds at most 25 active keys).
  const keys = await api(base, "GET", "/admin/organization-pats?limit=100", { token: session, org: org.id });
  for (const old of keys.data.filter((k) => k.name.startsWith("demo key "))) {
    await api(base, "DELETE", `/admin/organization-pats/${old.key_id}`, { token: session, org: org.id });
  }
  const key = await api(base, "POST", "/admin/organization-pats", {
    token: session,
    org: org.id,
    body: { name: `demo key ${new Date().toISOString()}`, expires_in_days: 30 },
  });
  const childSlug = `${org.slug}-client`;
  let child = organizations.find((o) => o.slug === childSlug);
  if (!child)
    child = await api(base, "POST", "/admin/organizations", {
      token: key.token,
      body: { name: "Demo Client", slug: childSlug, parent_id: org.id },
    });
  return { email, session, org, child, apiKey: key.token, billing };
}

export { api };
