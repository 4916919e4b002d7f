import { describe, expect, it } from "vitest";
import { addMember, call, createOrg, createUser, defined, dispatch, type TestUser, uniq } from "../harness";

/** A browser request: the session cookie, and for a form post this origin (or another). */
async function page(
  method: string,
  path: string,
  opts: { user?: TestUser; form?: Record<string, string>; origin?: string; host?: string } = {},
) {
  const host = opts.host ?? "api.test";
  const headers: Record<string, string> = { accept: "text/html" };
  // vitest-pool-workers does not set Host from the URL (test/domains/helpers.ts).
  if (opts.host) headers.host = host;
  if (opts.user) headers.cookie = `anyreach_session=${opts.user.session}`;
  let body: string | undefined;
  if (opts.form) {
    body = new URLSearchParams(opts.form).toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers.origin = opts.origin ?? `http://${host}`;
  }
  const res = await dispatch(new Request(`http://${host}${path}`, { method, headers, body, redirect: "manual" }));
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe("web console", () => {
  it("serves the sign-in page at / and /sign-in with the names a person finds", async () => {
    for (const path of ["/", "/sign-in"]) {
      const res = await page("GET", path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<label for="email">Email</label>');
      expect(res.text).toContain("Send code");
      expect(res.text.length).toBeLessThan(100_000);
    }
  });

  it("sends a signed-in user from / to their first org", async () => {
    const user = await createUser();
    const org = await createOrg(user, { slug: uniq("home") });
    const res = await page("GET", "/", { user });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/${org.slug}`);
  });

  it("redirects to sign-in without a session, and keeps the API's own 404 for API paths", async () => {
    const res = await page("GET", `/${uniq("nosession")}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in");
    const api = await call("GET", "/webhooks/no-such-route");
    expect((await call("GET", "/openapi.json")).status).toBe(200);
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toContain("application/problem+json");
  });

  it("renders the org pages under /{orgSlug} with the switcher, each under 100 KB", async () => {
    const user = await createUser();
    const org = await createOrg(user, { name: "Console Co", slug: uniq("cons") });
    for (const path of [
      `/${org.slug}`,
      `/${org.slug}/organization?tab=general`,
      `/${org.slug}/organization?tab=members`,
      `/${org.slug}/usage`,
      `/${org.slug}/billing`,
      `/${org.slug}/api-keys`,
      "/new",
      "/account/invitations",
      "/account/tokens",
    ]) {
      const res = await page("GET", path, { user });
      expect(res.status, path).toBe(200);
      expect(res.text).toContain("Sign out");
      expect(res.text).toContain("Create organization");
      expect(res.text.length).toBeLessThan(100_000);
    }
    const members = await page("GET", `/${org.slug}/organization?tab=members`, { user });
    expect(members.text).toContain("Send invitation");
    expect(members.text).not.toContain("Failed to load invitations.");
  });

  it("shows a plain member the members list and 'Failed to load invitations.'", async () => {
    const owner = await createUser();
    const member = await createUser();
    const org = await createOrg(owner, { slug: uniq("mem") });
    await addMember(org, member, ["member"]);
    const res = await page("GET", `/${org.slug}/organization?tab=members`, { user: member });
    expect(res.status).toBe(200);
    expect(res.text).toContain("Failed to load invitations.");
    expect(res.text).not.toContain("Send invitation");
    expect(res.text).toContain(owner.email);
  });

  it("answers a 404 page for an org the user is not in, naming nothing of it", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const org = await createOrg(owner, { name: "Secret Org", slug: uniq("secret") });
    for (const path of [`/${org.slug}`, `/${org.slug}/organization?tab=members`, `/${org.slug}/partner-console`]) {
      const res = await page("GET", path, { user: stranger });
      expect(res.status, path).toBe(404);
      expect(res.text).toContain("Page not found");
      expect(res.text).not.toContain("Secret Org");
      expect(res.text).not.toContain(owner.email);
    }
  });

  it("answers 403 for the partner console without child_organizations:manage", async () => {
    const owner = await createUser();
    const viewer = await createUser();
    const org = await createOrg(owner, { slug: uniq("pc") });
    await addMember(org, viewer, ["viewer"]);
    const res = await page("GET", `/${org.slug}/partner-console`, { user: viewer });
    expect(res.status).toBe(403);
  });

  it("refuses a cross-site form post made with the cookie (CSRF)", async () => {
    const user = await createUser();
    const org = await createOrg(user, { slug: uniq("csrf") });
    const res = await page("POST", `/${org.slug}/organization/general`, {
      user,
      form: { name: "Hijacked" },
      origin: "https://evil.example",
    });
    expect(res.status).toBe(403);
    const after = await page("GET", `/${org.slug}/organization?tab=general`, { user });
    expect(after.text).not.toContain("Hijacked");
  });

  it("creates an org from the form, showing server-side errors next to the fields", async () => {
    const user = await createUser();
    const bad = await page("POST", "/new", { user, form: { name: "", slug: "Not A Slug!" } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="create-name-error"');
    const slug = uniq("made");
    const ok = await page("POST", "/new", { user, form: { name: "Made Here", slug } });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe(`/${slug}`);
    const taken = await page("POST", "/new", { user, form: { name: "Again", slug } });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('id="create-slug-error"');
  });

  it("sets the session cookie HttpOnly, SameSite=Lax, Path=/ (Secure outside localhost) on sign-in", async () => {
    const email = `${uniq("signin")}@example.com`;
    const start = await page("POST", "/sign-in/start", { form: { email } });
    expect(start.status).toBe(200);
    expect(start.text).toContain('<label for="code">Code</label>');
    // The code is only in the mail; ask the outbox the way the browser test does.
    let code: string | undefined;
    for (let i = 0; i < 50 && !code; i++) {
      const out = await call("GET", `/dev/outbox?to=${encodeURIComponent(email)}`);
      code = /\b(\d{6})\b/.exec(out.json?.data?.[0]?.body ?? "")?.[1];
      if (!code) await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBeDefined();
    const verify = await page("POST", "/sign-in/verify", { form: { email, code: code ?? "" } });
    expect(verify.status).toBe(303);
    const cookie = verify.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/anyreach_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Secure/i);
  });

  it("usage: figures, an SVG chart with a table behind it, and the 366-day rule next to the field", async () => {
    const user = await createUser();
    const org = await createOrg(user, { slug: uniq("use") });
    const ok = await page("GET", `/${org.slug}/usage?from=2026-01-01&to=2026-01-08`, { user });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('role="img"');
    expect(ok.text.match(/<rect /g)?.length).toBe(7);
    expect(ok.text).toContain("<td>2026-01-07</td>");
    const long = await page("GET", `/${org.slug}/usage?from=2024-01-01&to=2026-01-08`, { user });
    expect(long.status).toBe(400);
    expect(long.text).toContain('id="to-error"');
    expect(long.text).toContain("366");
  });

  it("billing: plan, status, balance and ledger; a viewer sees no ledger and no buttons", async () => {
    const owner = await createUser();
    const viewer = await createUser();
    const org = await createOrg(owner, { slug: uniq("bill") });
    await addMember(org, viewer, ["viewer"]);
    const mine = await page("GET", `/${org.slug}/billing`, { user: owner });
    expect(mine.status).toBe(200);
    expect(mine.text).toContain("Change plan");
    expect(mine.text).toContain("Top up");
    const theirs = await page("GET", `/${org.slug}/billing`, { user: viewer });
    expect(theirs.status).toBe(200);
    expect(theirs.text).not.toContain("Change plan");
    expect(theirs.text).toContain("billing:manage");
  });

  it("API keys and PATs: the secret is shown once, the list never shows it, revoke removes it", async () => {
    const user = await createUser();
    const org = await createOrg(user, { slug: uniq("keys") });
    for (const [action, prefix] of [
      [`/${org.slug}/api-keys`, "ak_"],
      ["/account/tokens", "pat_"],
    ] as const) {
      const bad = await page("POST", action, { user, form: { name: "", expiry: "30" } });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('id="cred-name-error"');
      const made = await page("POST", action, { user, form: { name: "ci key", expiry: "never" } });
      expect(made.status).toBe(201);
      const secret = new RegExp(`value="(${prefix}[^"]+)"`).exec(made.text)?.[1];
      expect(secret).toBeDefined();
      const list = await page("GET", action, { user });
      expect(list.text).toContain("ci key");
      expect(list.text).not.toContain(secret);
      const id = /action="[^"]+\/([^/"]+)\/revoke"/.exec(list.text)?.[1];
      const revoked = await page("POST", `${action}/${id}/revoke`, { user, form: {} });
      expect(revoked.status).toBe(303);
      expect((await page("GET", action, { user })).text).not.toContain("ci key");
    }
  });

  it("tells slug availability as you type, from the same service as the API", async () => {
    const user = await createUser();
    const org = await createOrg(user, { slug: uniq("avail") });
    expect((await page("GET", `/new/slug-check?slug=${org.slug}`, { user })).text).toContain("taken");
    expect((await page("GET", "/new/slug-check?slug=admin", { user })).text).toContain("reserved");
    expect((await page("GET", `/new/slug-check?slug=${uniq("free")}`, { user })).text).toContain("available");
  });

  it("lets the owner transfer ownership from the members tab", async () => {
    const owner = await createUser();
    const admin = await createUser();
    const org = await createOrg(owner, { slug: uniq("xfer") });
    await addMember(org, admin, ["admin"]);
    const tab = await page("GET", `/${org.slug}/organization?tab=members`, { user: owner });
    expect(tab.text).toContain(`Transfer ownership to ${admin.email}`);
    const res = await page("POST", `/${org.slug}/organization/members/${admin.id}/transfer`, { user: owner, form: {} });
    expect(res.status).toBe(303);
    const after = await page("GET", `/${org.slug}/organization?tab=general`, { user: admin });
    expect(after.text).toContain("Delete organization");
  });

  it("sends a page under a renamed slug (in its grace period) on to the current slug", async () => {
    const user = await createUser();
    const oldSlug = uniq("old");
    const org = await createOrg(user, { slug: oldSlug });
    const newSlug = uniq("new");
    const renamed = await page("POST", `/${org.slug}/organization/general`, {
      user,
      form: { name: "Renamed", slug: newSlug },
    });
    expect(renamed.status).toBe(303);
    expect(renamed.headers.get("location")).toBe(`/${newSlug}/organization?tab=general`);
    const res = await page("GET", `/${oldSlug}/organization?tab=members`, { user });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/${newSlug}/organization?tab=members`);
  });

  it("partner console: invites to, changes a role in and removes from a child org, only in the subtree", async () => {
    const partner = await createUser();
    const root = await createOrg(partner, { slug: uniq("prt") });
    const child = await createOrg(partner, { slug: uniq("kid"), parentId: root.id });
    const member = await createUser();
    await addMember(child, member, ["member"]);
    const base = `/${root.slug}/partner-console/organizations/${child.id}`;
    const tab = await page("GET", `/${root.slug}/partner-console?selected=${child.id}&tab=members`, { user: partner });
    expect(tab.status).toBe(200);
    expect(tab.text).toContain("Send invitation");
    expect(tab.text).toContain(`Change role of ${member.email}`);
    expect(tab.text).toContain(`Remove ${member.email}`);

    const bad = await page("POST", `${base}/invitations`, { user: partner, form: { email: "nope", role: "member" } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="node-invite-email-error"');
    expect(bad.text).toContain(`Selected: ${child.slug}`);
    const invitee = `${uniq("inv")}@example.com`;
    const sent = await page("POST", `${base}/invitations`, { user: partner, form: { email: invitee, role: "viewer" } });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("location")).toBe(`/${root.slug}/partner-console?selected=${child.id}&tab=members`);
    const invs = await call("GET", `/admin/partner-console/organizations/${child.id}/invitations`, {
      token: partner.session,
      org: root.id,
    });
    expect(JSON.stringify(invs.json)).toContain(invitee);
    const pending = await page("GET", `/${root.slug}/partner-console?selected=${child.id}`, { user: partner });
    expect(pending.text).toContain(`Pending invitations to ${child.slug}`);
    expect(pending.text).toContain(invitee);
    expect(pending.text).toContain(`Resend invitation to ${invitee}`);
    const invitation = defined(
      (invs.json.data as { id: string; email: string }[]).find((i) => i.email === invitee),
      "the invitation",
    );
    const resent = await page("POST", `${base}/invitations/${invitation.id}/resend`, { user: partner, form: {} });
    expect(resent.status).toBe(303);
    const afterResend = await call("GET", `/admin/partner-console/organizations/${child.id}/invitations`, {
      token: partner.session,
      org: root.id,
    });
    expect(afterResend.json.data.find((i: { id: string }) => i.id === invitation.id)?.send_count).toBe(2);
    // An invitation of another org, named under this child: not found, nothing changes.
    const elsewhere = await createOrg(partner, { slug: uniq("els") });
    const foreign = await call("POST", "/admin/invitations", {
      token: partner.session,
      org: elsewhere.id,
      body: { email: `${uniq("f")}@example.com`, role: "member" },
    });
    const cross = await page("POST", `${base}/invitations/${foreign.json.id}/revoke`, { user: partner, form: {} });
    expect(cross.status).toBe(404);
    const foreignNow = await call("GET", "/admin/invitations", { token: partner.session, org: elsewhere.id });
    expect(foreignNow.json.data[0]).toMatchObject({ id: foreign.json.id, status: "pending" });
    const revoked = await page("POST", `${base}/invitations/${invitation.id}/revoke`, { user: partner, form: {} });
    expect(revoked.status).toBe(303);
    const gone = await page("GET", `/${root.slug}/partner-console?selected=${child.id}`, { user: partner });
    expect(gone.text).not.toContain(`Resend invitation to ${invitee}`);
    const revokedAgain = await page("POST", `${base}/invitations/${invitation.id}/revoke`, { user: partner, form: {} });
    expect(revokedAgain.status).toBe(400);
    expect(revokedAgain.text).toContain("This invitation is revoked.");
    // Revoked: a new invitation to the same address may be sent below.
    const sentAgain = await page("POST", `${base}/invitations`, {
      user: partner,
      form: { email: invitee, role: "viewer" },
    });
    expect(sentAgain.status).toBe(303);

    const role = await page("POST", `${base}/members/${member.id}/roles`, { user: partner, form: { role: "admin" } });
    expect(role.status).toBe(303);
    expect((await page("GET", `/${root.slug}/partner-console?selected=${child.id}`, { user: partner })).text).toMatch(
      new RegExp(`${member.email}</td><td><span class="badge">admin`),
    );
    const removed = await page("POST", `${base}/members/${member.id}/remove`, { user: partner, form: {} });
    expect(removed.status).toBe(303);
    expect(
      (await page("GET", `/${root.slug}/partner-console?selected=${child.id}`, { user: partner })).text,
    ).not.toContain(member.email);

    // Outside the subtree: the 404 page; without child_organizations:manage: 403; cross-site: 403.
    const stranger = await createUser();
    const other = await createOrg(stranger, { slug: uniq("oth") });
    const outside = await page("POST", `/${root.slug}/partner-console/organizations/${other.id}/invitations`, {
      user: partner,
      form: { email: invitee, role: "member" },
    });
    expect(outside.status).toBe(404);
    const outsideRevoke = await page(
      "POST",
      `/${root.slug}/partner-console/organizations/${other.id}/invitations/${invitation.id}/revoke`,
      { user: partner, form: {} },
    );
    expect(outsideRevoke.status).toBe(404);
    const viewer = await createUser();
    await addMember(root, viewer, ["viewer"]);
    const denied = await page("POST", `${base}/invitations`, {
      user: viewer,
      form: { email: invitee, role: "member" },
    });
    expect(denied.status).toBe(403);
    const csrf = await page("POST", `${base}/invitations`, {
      user: partner,
      form: { email: invitee, role: "member" },
      origin: "https://evil.example",
    });
    expect(csrf.status).toBe(403);
  });

  it("general tab: billing address and phone numbers through the API's schema, errors next to the fields", async () => {
    const user = await createUser();
    const org = await createOrg(user, { slug: uniq("gen") });
    const path = `/${org.slug}/organization/general`;
    const ok = await page("POST", path, {
      user,
      form: { name: "Addressed", address_line1: "1 Main St", address_city: "Berlin", address_country: "de" },
    });
    expect(ok.status).toBe(303);
    const shown = await page("GET", `/${org.slug}/organization?tab=general`, { user });
    expect(shown.text).toContain('value="1 Main St"');
    expect(shown.text).toContain('value="DE"');
    const avatar = "https://cdn.example.com/avatar.png";
    expect((await page("POST", path, { user, form: { name: "Addressed", avatar_url: avatar } })).status).toBe(303);
    expect((await page("GET", `/${org.slug}/organization?tab=general`, { user })).text).toContain(
      `<img src="${avatar}"`,
    );
    const badAvatar = await page("POST", path, {
      user,
      form: { name: "Addressed", avatar_url: "javascript:alert(1)" },
    });
    expect(badAvatar.status).toBe(400);
    expect(badAvatar.text).toContain('id="general-avatar_url-error"');
    const badCountry = await page("POST", path, { user, form: { name: "Addressed", address_country: "Germany" } });
    expect(badCountry.status).toBe(400);
    expect(badCountry.text).toContain('id="general-billing_address-error"');
    const badPhone = await page("POST", path, { user, form: { name: "Addressed", phone_numbers: "12345" } });
    expect(badPhone.status).toBe(400);
    expect(badPhone.text).toContain('id="general-phone_numbers-error"');
    const notOurs = await page("POST", path, { user, form: { name: "Addressed", phone_numbers: "+15550009999" } });
    expect(notOurs.status).toBe(400);
    expect(notOurs.text).toContain('id="general-phone_numbers-error"');
  });

  it("general tab: a custom domain with its DNS records, Verify, release; branding with its sources", async () => {
    const user = await createUser();
    const viewer = await createUser();
    const org = await createOrg(user, { slug: uniq("dom") });
    await addMember(org, viewer, ["viewer"]);
    const base = `/${org.slug}/organization`;
    const domain = `${uniq("app")}.example.com`;
    const bad = await page("POST", `${base}/domain`, { user, form: { domain: "" } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="domain-domain-error"');
    expect((await page("POST", `${base}/domain`, { user, form: { domain } })).status).toBe(303);
    const tab = await page("GET", `${base}?tab=general`, { user });
    expect(tab.text).toContain(`_anyreach-challenge.${domain}`);
    expect(tab.text).toMatch(/anyreach-verify=[A-Za-z0-9]{32}/);
    expect(tab.text).toContain("CNAME");
    expect(tab.text).toContain('<span class="badge">pending</span>');
    const txt = /anyreach-verify=[A-Za-z0-9]{32}/.exec(tab.text)?.[0] ?? "";
    await call("POST", "/dev/dns", { body: { type: "TXT", name: `_anyreach-challenge.${domain}`, value: txt } });
    expect((await page("POST", `${base}/domain/verify`, { user, form: {} })).status).toBe(303);
    expect((await page("GET", `${base}?tab=general`, { user })).text).toContain('<span class="badge">active</span>');
    const ro = await page("GET", `${base}?tab=general`, { user: viewer });
    expect(ro.text).toContain(domain);
    expect(ro.text).not.toContain("Verify</button>");
    expect(ro.text).not.toContain("Save branding");
    expect((await page("POST", `${base}/domain/verify`, { user: viewer, form: {} })).status).toBe(403);
    expect((await page("POST", `${base}/domain/release`, { user, form: {} })).status).toBe(303);
    expect((await page("GET", `${base}?tab=general`, { user })).text).toContain("No custom domain.");

    const badColour = await page("POST", `${base}/branding`, { user, form: { primary_color: "red" } });
    expect(badColour.status).toBe(400);
    expect(badColour.text).toContain('id="branding-primary_color-error"');
    const tooLight = await page("POST", `${base}/branding`, { user, form: { accent_color: "#ffee88" } });
    expect(tooLight.status).toBe(400);
    expect(tooLight.text).toMatch(/id="branding-accent_color-error"[^>]*>[^<]*too light[^<]*4\.5:1/);
    const brand = { display_name: "Acme Voice", primary_color: "#112233", logo_url: "https://cdn.example.com/l.png" };
    expect((await page("POST", `${base}/branding`, { user, form: brand })).status).toBe(303);
    const branded = await page("GET", `${base}?tab=general`, { user });
    expect(branded.text).toContain("Acme Voice");
    expect(branded.text).toContain("this organization");
    expect(branded.text).toContain("--primary:#112233");
  });

  it("renders in the org's branding (logo too); on its custom domain only that org's pages exist", async () => {
    const user = await createUser();
    const org = await createOrg(user, { slug: uniq("host") });
    const other = await createOrg(user, { name: "Other Brandless Co", slug: uniq("else") });
    const base = `/${org.slug}/organization`;
    const brand = {
      display_name: "Hosted Brand",
      accent_color: "#0f5132",
      logo_url: "https://cdn.example.com/logo.png",
    };
    expect((await page("POST", `${base}/branding`, { user, form: brand })).status).toBe(303);
    const home = await page("GET", `/${org.slug}`, { user });
    expect(home.text).toContain('<img src="https://cdn.example.com/logo.png" alt="" height="28" class="logo"/>');
    expect(home.text).toContain("--accent:#0f5132");
    expect(home.text).toContain("Hosted Brand");

    const domain = `${uniq("brand")}.example.com`;
    expect((await page("POST", `${base}/domain`, { user, form: { domain } })).status).toBe(303);
    const txt = /anyreach-verify=[A-Za-z0-9]{32}/.exec((await page("GET", `${base}?tab=general`, { user })).text)?.[0];
    await call("POST", "/dev/dns", { body: { type: "TXT", name: `_anyreach-challenge.${domain}`, value: txt } });
    expect((await page("POST", `${base}/domain/verify`, { user, form: {} })).status).toBe(303);

    const mine = await page("GET", `/${org.slug}`, { user, host: domain });
    expect(mine.status).toBe(200);
    expect(mine.text).toContain("Hosted Brand");
    expect(mine.text).not.toContain("Other Brandless Co");
    const theirs = await page("GET", `/${other.slug}/organization?tab=general`, { user, host: domain });
    expect(theirs.status).toBe(404);
    expect(theirs.text).not.toContain("Other Brandless Co");
    expect(theirs.text).toContain("Hosted Brand");
    const post = await page("POST", `/${other.slug}/organization/general`, {
      user,
      host: domain,
      form: { name: "Taken over" },
    });
    expect(post.status).toBe(404);
    // Signing in on the custom domain lands on its org, even for a user whose first org is another.
    const visitor = await createUser();
    await addMember(other, visitor, ["member"]);
    await addMember(org, visitor, ["member"]);
    const start = await page("POST", "/sign-in/start", { host: domain, form: { email: visitor.email } });
    expect(start.status).toBe(200);
    let code: string | undefined;
    for (let i = 0; i < 50 && !code; i++) {
      const out = await call("GET", `/dev/outbox?to=${encodeURIComponent(visitor.email)}`);
      code = /\b(\d{6})\b/.exec(out.json?.data?.[0]?.body ?? "")?.[1];
      if (!code) await new Promise((r) => setTimeout(r, 100));
    }
    const verify = await page("POST", "/sign-in/verify", {
      host: domain,
      form: { email: visitor.email, code: code ?? "" },
    });
    expect(verify.status).toBe(303);
    expect(verify.headers.get("location")).toBe(`/${org.slug}`);
    // Elsewhere the other org is still there, in the default brand.
    const elsewhere = await page("GET", `/${other.slug}`, { user });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.text).not.toContain("Hosted Brand");
  });
});
