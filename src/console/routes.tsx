/** @jsxImportSource hono/jsx */
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../lib/errors";
import { SESSION_COOKIE, requireSameOrigin } from "../auth/middleware";
import { authenticateToken } from "../auth/credentials";
import { type OrgContext, resolveOrgContext } from "../auth/org-context";
import { actorOfPrincipal, type UserPrincipal } from "../auth/principal";
import { requireScope } from "../auth/guards";
import { SESSION_TTL_SECONDS } from "../auth/session-token";
import { Email } from "../http/schemas";
import { clientOf } from "../account/security-log";
import { revokeSession } from "../account/sessions";
import { signInWithEmailCode, startEmailSignIn } from "../sign-in/service";
import { listMembershipsOfUser } from "../orgs/queries";
import { CreateOrgBody, PatchOrgBody } from "../orgs/schemas";
import { createOrganization, slugAvailability } from "../orgs/service";
import { transferOwnership } from "../members/ownership";
import { updateOrganizationSettings } from "../orgs/settings";
import { confirmDeletion, deleteOrganization } from "../orgs/deletion";
import { authorizeParent, refuseWhenOwnedByParent } from "../orgs/guards";
import { limitsOf } from "../quotas/limits";
import { parseRoles, type Role } from "../auth/scopes";
import { leaveOrganization, listMembers, removeMember, setRoles } from "../members/service";
import { createInvitation, listInvitations, resendInvitation, revokeInvitation } from "../invitations/service";
import { requireInvitationAccess } from "../invitations/guards";
import { CreateInvitationBody } from "../invitations/schemas";
import { acceptInvitation, declineInvitation, listMyInvitations } from "../invitations/account";
import { listChildren, searchSubtree, viewChild } from "../partner/organizations";
import { brandingOf, setBranding } from "../branding/service";
import { BrandingBody } from "../branding/schemas";
import { claimDomain, getDomain, releaseDomain, verifyDomain } from "../domains/service";
import { DomainBody, toDomainView } from "../domains/schemas";
import { BrandingSection, DomainSection } from "./settings-view";
import { type FormState, formValues, isFormRefusal, nonBlank, parseForm, refusal } from "./forms";
import { colourOr, DEFAULT_ACCENT, DEFAULT_PRIMARY, ErrorPage, type Shell } from "./layout-view";
import { SignInPage } from "./sign-in-view";
import { AccountInvitationsPage, CreateOrgPage, GeneralTab, MembersTab, OrgHomePage, OrgTabs } from "./org-views";
import { CredentialsPage, type CredentialLine } from "./credentials-view";
import { CreateTokenBody } from "../account/schemas";
import { createPersonalToken, listPersonalTokens, revokePersonalToken } from "../account/tokens";
import { createApiKey, issuerOf, listApiKeys, reachInOrg, revokeApiKey } from "../keys/service";
import { type NodeTab, PartnerConsolePage, TreeItems } from "./partner-view";
import { childOrg } from "../partner/subtree";
import type { OrganizationRow } from "../db/schema";
import { isOrgSlugSegment } from "./paths";
import { BillingPage, UsagePage } from "./money-views";
import { resolveWindow } from "../usage/window";
import { inventoryOf, summarize } from "../usage/summary";
import { usageStoreOf } from "../usage/store";
import { billingStateOf, ledgerPage } from "../billing/queries";
import { billingView } from "../billing/views";
import { PLANS } from "../billing/plans";
import { startCheckout, startTopUp } from "../billing/checkout";
import { PLAN_IDS } from "../db/schema";
import { DAY_MS, dayOf } from "../lib/dates";

/**
 * The web console: server-rendered pages on the session cookie, calling the same services
 * as the API routes (never the API over HTTP). Routes only speak HTTP: read the form,
 * authorise, call one service, render or redirect (303, so a reload never re-posts).
 */
type C = Context<AppEnv>;

const ROLE_ORDER: Role[] = ["owner", "admin", "member", "viewer"];
const mainRole = (roles: readonly Role[]) => ROLE_ORDER.find((r) => roles.includes(r)) ?? roles[0] ?? "member";

const isLocal = (c: C) => ["localhost", "127.0.0.1", "[::1]"].includes(new URL(c.req.url).hostname);

/** The signed-in user (session cookie only); unsafe methods must come from this origin (CSRF). */
async function signedIn(c: C): Promise<UserPrincipal & { kind: "session" }> {
  if (!["GET", "HEAD"].includes(c.req.method)) requireSameOrigin(c);
  const raw = getCookie(c, SESSION_COOKIE);
  if (!raw) throw new AppError("unauthenticated");
  const p = await authenticateToken(c.env, c.var.db, raw, c.executionCtx);
  if (p.kind !== "session") throw new AppError("unauthenticated");
  return p;
}

/** A page asked for under a renamed slug (still in its 30-day grace): sent on to the current one. */
class Moved {
  constructor(readonly to: string) {}
}

/**
 * `/{orgSlug}`: the org only if the user is a member (else the same 404 as for no org at all).
 * A renamed slug in grace redirects a page view to the current slug, so the URL names the org shown.
 */
async function inOrg(c: C, user: UserPrincipal): Promise<OrgContext> {
  const slug = c.req.param("orgSlug") ?? "";
  const ctx = await resolveOrgContext(c.var.db, user, slug);
  if (!ctx) throw new AppError("not_found");
  // On an org's custom domain only that org's pages exist: another org's data never shows under its brand.
  if (c.var.hostOrgId && ctx.org.id !== c.var.hostOrgId) throw new AppError("not_found");
  if (ctx.org.slug !== slug && c.req.method === "GET") {
    const url = new URL(c.req.url);
    throw new Moved(`/${ctx.org.slug}${url.pathname.slice(slug.length + 1)}${url.search}`);
  }
  return ctx;
}

async function shellOf(c: C, user: UserPrincipal & { email: string }, ctx?: OrgContext): Promise<Shell> {
  const rows = (await listMembershipsOfUser(c.var.db, user.userId)).filter(
    (r) => !c.var.hostOrgId || r.org.id === c.var.hostOrgId,
  );
  const orgs = rows.map((r) => ({ slug: r.org.slug, name: r.org.name, role: mainRole(parseRoles(r.roles)) }));
  const shell: Shell = { title: "", email: user.email, orgs };
  if (ctx) shell.current = { slug: ctx.org.slug, name: ctx.org.name, role: mainRole(ctx.roles) };
  // The brand of the org shown, else of the custom domain's org (pages outside any org on its host).
  const brandOrg = ctx?.org.id ?? c.var.hostOrgId;
  if (brandOrg) shell.brand = await brandOf(c, brandOrg, ctx?.org.name ?? rows[0]?.org.name);
  return shell;
}

/** An org's effective branding as the layout shows it. */
async function brandOf(c: C, orgId: string, orgName?: string): Promise<NonNullable<Shell["brand"]>> {
  const e = (await brandingOf(c.var.db, orgId)).effective;
  return {
    name: e.display_name.value ?? orgName ?? "Anyreach",
    primary: colourOr(e.primary_color.value, DEFAULT_PRIMARY),
    accent: colourOr(e.accent_color.value, DEFAULT_ACCENT),
    logo: e.logo_url.value,
  };
}

/** An org context in the shape the guards read (`c.var.org`). */
const asCtx = (org: OrgContext) => ({ var: { org } });
const navOf = (ctx: OrgContext) => ({ slug: ctx.org.slug, partner: ctx.scopes.has("child_organizations:manage") });
const via = (c: C) => ({ requestId: c.var.requestId, client: clientOf(c.req) });
const formOf = async (c: C) => formValues(await c.req.parseBody());

/** Errors become pages: no session → sign-in, no such org / not a member → 404, no right → 403. */
async function failure(c: C, err: unknown): Promise<Response> {
  if (err instanceof Moved) return c.redirect(err.to, 302);
  if (!(err instanceof AppError)) throw err;
  if (["unauthenticated", "invalid_credential", "credential_revoked", "credential_expired"].includes(err.code)) {
    return c.redirect("/sign-in", 303);
  }
  const status = ["not_a_member", "not_found"].includes(err.code) ? 404 : 403;
  if (status === 403 && !["cross_site_request", "insufficient_scope", "forbidden", "owner_required"].includes(err.code))
    throw err;
  const detail = status === 403 ? err.detail : undefined;
  // On a custom domain even the error page is in the domain's brand (never in the refused org's).
  const brand = c.var.hostOrgId ? await brandOf(c, c.var.hostOrgId) : undefined;
  return c.html(<ErrorPage title="" status={status} detail={detail} brand={brand} />, status);
}

/**
 * `/{orgSlug}/…` is a console page only for a segment an org can hold (never admin, auth, v1,
 * …) and a client asking for HTML; anything else goes on to later routes or the API's 404
 * problem (an API client on a mistyped path, a route added after the console).
 */
const isConsolePage = (c: C) => {
  const slug = c.req.param("orgSlug");
  return slug === undefined || (isOrgSlugSegment(slug) && /text\/html/i.test(c.req.header("accept") ?? ""));
};

const page =
  (fn: (c: C) => Promise<Response>) =>
  async (c: C, next: () => Promise<void>): Promise<Response> => {
    if (!isConsolePage(c)) {
      await next();
      return c.res;
    }
    try {
      return await fn(c);
    } catch (err) {
      return failure(c, err);
    }
  };

export const consoleRoutes = new Hono<AppEnv>();

// ── Sign-in ─────────────────────────────────────────────────────────────────────────────

/** Where a signed-in user lands: on a custom domain its org (when a member), else their first org. */
const firstOrgPath = async (c: C, userId: string) => {
  const rows = await listMembershipsOfUser(c.var.db, userId);
  const first = c.var.hostOrgId ? rows.find((r) => r.org.id === c.var.hostOrgId) : rows[0];
  return first ? `/${first.org.slug}` : c.var.hostOrgId ? "/account/invitations" : "/new";
};

consoleRoutes.get(
  "/",
  page(async (c) => {
    const user = await signedIn(c).catch(() => null);
    if (user) return c.redirect(await firstOrgPath(c, user.userId), 303);
    return c.html(<SignInPage step="email" />);
  }),
);

consoleRoutes.get("/sign-in", (c) => c.html(<SignInPage step="email" />));

const StartForm = z.object({ email: Email });
const VerifyForm = z.object({
  email: Email,
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the six digits of the code."),
});

consoleRoutes.post(
  "/sign-in/start",
  page(async (c) => {
    requireSameOrigin(c);
    const values = await formOf(c);
    const parsed = parseForm("start", StartForm, values, (v) => ({ email: v.email ?? "" }));
    if (!parsed.ok) return c.html(<SignInPage step="email" state={parsed.state} />, 400);
    const address = c.req.header("cf-connecting-ip") ?? "unknown";
    try {
      await startEmailSignIn(c.env, c.var.db, { email: parsed.data.email, address });
    } catch (err) {
      if (!isFormRefusal(err)) throw err;
      return c.html(<SignInPage step="email" state={refusal("start", values, err)} />, 429);
    }
    return c.html(
      <SignInPage step="code" state={{ form: "verify", values: { email: parsed.data.email }, errors: {} }} />,
    );
  }),
);

consoleRoutes.post(
  "/sign-in/verify",
  page(async (c) => {
    requireSameOrigin(c);
    const values = await formOf(c);
    const parsed = parseForm("verify", VerifyForm, values, (v) => ({ email: v.email ?? "", code: v.code ?? "" }));
    if (!parsed.ok) return c.html(<SignInPage step="code" state={parsed.state} />, 400);
    const { email, code } = parsed.data;
    let signed: Awaited<ReturnType<typeof signInWithEmailCode>>;
    try {
      const input = { email, code, requestId: c.var.requestId, client: clientOf(c.req) };
      signed = await signInWithEmailCode(c.env, c.var.db, c.var.lifecycle, input);
    } catch (err) {
      if (!(err instanceof AppError) || !["invalid_code", "rate_limited", "invalid_credential"].includes(err.code)) {
        if (!isFormRefusal(err)) throw err;
      }
      const state: FormState = {
        form: "verify",
        values: { email },
        errors: {
          code: err instanceof AppError ? (err.detail ?? "That code is not valid.") : "That code is not valid.",
        },
      };
      return c.html(<SignInPage step="code" state={state} />, 401);
    }
    if (signed.firstOrg) c.executionCtx.waitUntil(c.var.lifecycle.afterCreation(c.env, signed.firstOrg));
    setCookie(c, SESSION_COOKIE, signed.token, {
      httpOnly: true,
      secure: !isLocal(c),
      sameSite: "Lax",
      path: "/",
      maxAge: SESSION_TTL_SECONDS,
    });
    return c.redirect(await firstOrgPath(c, signed.user.id), 303);
  }),
);

consoleRoutes.post(
  "/sign-out",
  page(async (c) => {
    const user = await signedIn(c);
    await revokeSession(c.var.db, user, "current", via(c)).catch((err) => {
      if (!(err instanceof AppError && err.code === "not_found")) throw err;
    });
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: !isLocal(c) });
    return c.redirect("/sign-in", 303);
  }),
);

// ── Create organization ─────────────────────────────────────────────────────────────────

consoleRoutes.get(
  "/new",
  page(async (c) => {
    const user = await signedIn(c);
    return c.html(<CreateOrgPage {...(await shellOf(c, user))} />);
  }),
);

const AVAILABILITY = {
  invalid: "Use Latin letters, digits and hyphens (no hyphen first or last).",
  reserved: "This slug is reserved.",
  taken: "This slug is taken.",
} as const;

/** Availability as you type: one sentence, from the same service as /admin/organizations/slug-availability. */
consoleRoutes.get(
  "/new/slug-check",
  page(async (c) => {
    await signedIn(c);
    const slug = (c.req.query("slug") ?? "").trim().toLowerCase().slice(0, 63);
    const reason = await slugAvailability(c.var.db, slug);
    return c.text(reason ? AVAILABILITY[reason] : `"${slug}" is available.`);
  }),
);

const createShape = (v: Record<string, string>) => ({ name: v.name ?? "", slug: nonBlank(v.slug) });

consoleRoutes.post(
  "/new",
  page(async (c) => {
    const user = await signedIn(c);
    const values = await formOf(c);
    const parsed = parseForm("create", CreateOrgBody, values, createShape);
    if (!parsed.ok) return c.html(<CreateOrgPage {...(await shellOf(c, user))} state={parsed.state} />, 400);
    try {
      const { db, lifecycle } = c.var;
      const input = { name: parsed.data.name, slug: parsed.data.slug || undefined, creatorUserId: user.userId };
      const org = await createOrganization(db, lifecycle, { ...input, creatorRoles: ["owner"] }, limitsOf(c.env));
      c.executionCtx.waitUntil(lifecycle.afterCreation(c.env, org));
      return c.redirect(`/${org.slug}`, 303);
    } catch (err) {
      if (!isFormRefusal(err)) throw err;
      const state = refusal("create", values, err);
      return c.html(<CreateOrgPage {...(await shellOf(c, user))} state={state} />, 400);
    }
  }),
);

// ── Account: pending invitations ────────────────────────────────────────────────────────

consoleRoutes.get(
  "/account/invitations",
  page(async (c) => {
    const user = await signedIn(c);
    const mine = await listMyInvitations(c.var.db, user.userId, { limit: 100, before: null });
    const invitations = mine.data.map((i) => ({ id: i.id, role: i.role, org: i.organization }));
    return c.html(<AccountInvitationsPage {...(await shellOf(c, user))} title="" invitations={invitations} />);
  }),
);

consoleRoutes.post(
  "/account/invitations/:id/:answer{accept|decline}",
  page(async (c) => {
    const user = await signedIn(c);
    const id = c.req.param("id") ?? "";
    const actor = actorOfPrincipal(user, c.var.requestId);
    if (c.req.param("answer") === "decline") {
      await declineInvitation(c.env, c.var.db, user.userId, id, actor);
      return c.redirect("/account/invitations", 303);
    }
    const accepted = await acceptInvitation(c.env, c.var.db, user.userId, id, undefined, actor);
    return c.redirect(accepted.organization ? `/${accepted.organization.slug}` : "/", 303);
  }),
);

async function tokensPage(
  c: C,
  user: UserPrincipal & { email: string },
  extra: { secret?: string; state?: FormState } = {},
) {
  const rows = await listPersonalTokens(c.var.db, user, 100, null);
  const tabs = (
    <nav class="tabs" aria-label="Account">
      <a href="/account/invitations">Invitations</a>
      <a href="/account/tokens" aria-current="page">
        Personal access tokens
      </a>
    </nav>
  );
  const page = (
    <CredentialsPage
      {...(await shellOf(c, user))}
      heading="Personal access tokens"
      noun="personal access token"
      action="/account/tokens"
      lines={rows.slice(0, 100).map(lineOf)}
      tabs={tabs}
      {...extra}
    />
  );
  return c.html(page, extra.state ? 400 : extra.secret ? 201 : 200);
}

consoleRoutes.get(
  "/account/tokens",
  page(async (c) => tokensPage(c, await signedIn(c))),
);

consoleRoutes.post(
  "/account/tokens",
  page(async (c) => {
    const user = await signedIn(c);
    const values = await formOf(c);
    const parsed = parseForm("pat", CreateTokenBody, values, tokenShape);
    if (!parsed.ok) return tokensPage(c, user, { state: parsed.state });
    try {
      const { token } = await createPersonalToken(c.var.db, user, parsed.data, via(c), limitsOf(c.env));
      return tokensPage(c, user, { secret: token });
    } catch (err) {
      if (!isFormRefusal(err) || ["insufficient_scope", "forbidden"].includes(err.code)) throw err;
      return tokensPage(c, user, { state: refusal("pat", values, err) });
    }
  }),
);

consoleRoutes.post(
  "/account/tokens/:id/revoke",
  page(async (c) => {
    const user = await signedIn(c);
    await revokePersonalToken(c.var.db, user, c.req.param("id") ?? "", via(c));
    return c.redirect("/account/tokens", 303);
  }),
);

// ── /{orgSlug}/… ────────────────────────────────────────────────────────────────────────

consoleRoutes.get(
  "/:orgSlug",
  page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    const members = await listMembers(c.var.db, ctx.org.id, { limit: 100 });
    const shell = await shellOf(c, user, ctx);
    return c.html(<OrgHomePage {...shell} org={ctx.org} nav={navOf(ctx)} members={members.data.length} />);
  }),
);

async function settingsPage(
  c: C,
  user: UserPrincipal & { email: string },
  ctx: OrgContext,
  state?: FormState,
  tab = c.req.query("tab"),
) {
  const common = {
    ...(await shellOf(c, user, ctx)),
    org: ctx.org,
    nav: navOf(ctx),
    isOwner: ctx.roles.includes("owner") && !ctx.org.ownerOrgId,
    state,
  };
  const status = state ? 400 : 200;
  if (tab === "members") {
    requireScope(asCtx(ctx), "members:read");
    const members = await listMembers(c.var.db, ctx.org.id, { limit: 100 });
    let invitations = null;
    try {
      requireInvitationAccess(asCtx(ctx));
      invitations = (await listInvitations(c.var.db, ctx.org.id, { limit: 100, status: "pending" })).data;
    } catch (err) {
      if (!(err instanceof AppError && err.code === "insufficient_scope")) throw err;
    }
    const canManage = ctx.scopes.has("members:manage");
    return c.html(
      <MembersTab
        {...common}
        canManage={canManage}
        members={members.data}
        invitations={invitations}
        selfId={user.userId}
      />,
      status,
    );
  }
  const canManage = ctx.scopes.has("organizations:manage");
  const base = `/${ctx.org.slug}/organization`;
  let sections = null;
  if (ctx.scopes.has("organizations:read")) {
    const domain = await getDomain(c.env, c.var.db, ctx.org.id).then(toDomainView, (err) => {
      if (err instanceof AppError && err.code === "not_found") return null;
      throw err;
    });
    const branding = await brandingOf(c.var.db, ctx.org.id);
    sections = (
      <>
        <DomainSection base={base} domain={domain} canManage={canManage} state={state} />
        <BrandingSection base={base} orgId={ctx.org.id} {...branding} canManage={canManage} state={state} />
      </>
    );
  }
  return c.html(
    <GeneralTab {...common} canManage={canManage}>
      {sections}
    </GeneralTab>,
    status,
  );
}

/** The general form's billing address: blank fields left out, all blank = none. */
function addressShape(v: Record<string, string>) {
  const address: Record<string, string> = {};
  for (const f of ["line1", "line2", "city", "state", "postal_code", "country"]) {
    const value = nonBlank(v[`address_${f}`]);
    if (value !== undefined) address[f] = value.trim();
  }
  return Object.keys(address).length > 0 ? address : null;
}

/** Errors a service names by path (`phone_numbers.0`) shown next to their form field. */
const byField = (state: FormState): FormState => ({
  ...state,
  errors: Object.fromEntries(Object.entries(state.errors).map(([k, m]) => [k.split(".")[0] ?? k, m])),
});

consoleRoutes.get(
  "/:orgSlug/organization",
  page(async (c) => {
    const user = await signedIn(c);
    return settingsPage(c, user, await inOrg(c, user));
  }),
);

/** A state-changing form of an org page: on a refusal, the same tab again with the error next to the form. */
function orgAction(
  form: string,
  tab: "general" | "members",
  act: (
    c: C,
    user: UserPrincipal & { email: string },
    ctx: OrgContext,
    values: Record<string, string>,
  ) => Promise<string | FormState>,
) {
  return page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    const values = await formOf(c);
    let outcome: string | FormState;
    try {
      outcome = await act(c, user, ctx, values);
    } catch (err) {
      if (!isFormRefusal(err) || ["insufficient_scope", "forbidden"].includes(err.code)) throw err;
      outcome = refusal(form, values, err);
    }
    if (typeof outcome === "string") return c.redirect(outcome, 303);
    return settingsPage(c, user, ctx, outcome, tab);
  });
}

const tabPath = (slug: string, tab: string) => `/${slug}/organization?tab=${tab}`;

consoleRoutes.post(
  "/:orgSlug/organization/general",
  orgAction("general", "general", async (c, user, ctx, values) => {
    requireScope(asCtx(ctx), "organizations:manage");
    const shape = {
      name: nonBlank(values.name),
      slug: nonBlank(values.slug),
      avatar_url: nonBlank(values.avatar_url)?.trim() ?? null,
      billing_email: nonBlank(values.billing_email) ?? null,
      billing_address: addressShape(values),
      phone_numbers: (values.phone_numbers ?? "").split(/[\s,]+/).filter(Boolean),
    };
    const parsed = parseForm("general", PatchOrgBody, values, () => shape);
    if (!parsed.ok) return parsed.state;
    try {
      const actor = actorOfPrincipal(user, c.var.requestId);
      const after = await updateOrganizationSettings(c.var.db, ctx.org, parsed.data, actor);
      return tabPath(after.slug, "general");
    } catch (err) {
      if (!isFormRefusal(err) || ["insufficient_scope", "forbidden"].includes(err.code)) throw err;
      return byField(refusal("general", values, err));
    }
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/domain",
  orgAction("domain", "general", async (c, user, ctx, values) => {
    requireScope(asCtx(ctx), "organizations:manage");
    const parsed = parseForm("domain", DomainBody, values, (v) => ({ domain: (v.domain ?? "").trim() }));
    if (!parsed.ok) return parsed.state;
    await claimDomain(c.env, c.var.db, ctx.org, parsed.data.domain, actorOfPrincipal(user, c.var.requestId));
    return tabPath(ctx.org.slug, "general");
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/domain/:verb{verify|release}",
  orgAction("domain-check", "general", async (c, user, ctx) => {
    requireScope(asCtx(ctx), "organizations:manage");
    if (c.req.param("verb") === "verify") await verifyDomain(c.env, c.var.db, ctx.org.id);
    else await releaseDomain(c.env, c.var.db, ctx.org.id, actorOfPrincipal(user, c.var.requestId));
    return tabPath(ctx.org.slug, "general");
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/branding",
  orgAction("branding", "general", async (c, user, ctx, values) => {
    requireScope(asCtx(ctx), "organizations:manage");
    const { own } = await brandingOf(c.var.db, ctx.org.id);
    const shape = (v: Record<string, string>) => ({
      display_name: nonBlank(v.display_name)?.trim() ?? null,
      logo_url: nonBlank(v.logo_url)?.trim() ?? null,
      icon_url: own.icon_url,
      primary_color: nonBlank(v.primary_color)?.trim() ?? null,
      accent_color: nonBlank(v.accent_color)?.trim() ?? null,
      support_email: nonBlank(v.support_email)?.trim() ?? null,
      hide_product_name: own.hide_product_name,
    });
    const parsed = parseForm("branding", BrandingBody, values, shape);
    if (!parsed.ok) return parsed.state;
    await setBranding(c.var.db, ctx.org, parsed.data, actorOfPrincipal(user, c.var.requestId));
    return tabPath(ctx.org.slug, "general");
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/delete",
  orgAction("delete", "general", async (c, user, ctx, values) => {
    refuseWhenOwnedByParent(ctx.org);
    if (!ctx.roles.includes("owner"))
      throw new AppError("owner_required", "Only the owner can delete the organization.");
    confirmDeletion(ctx.org, values.slug ?? "");
    await deleteOrganization(c.var.db, c.var.lifecycle, ctx.org, actorOfPrincipal(user, c.var.requestId));
    c.executionCtx.waitUntil(c.var.lifecycle.afterDeletion(c.env, ctx.org));
    return "/";
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/leave",
  orgAction("leave", "general", async (c, user, ctx) => {
    await leaveOrganization(c.var.db, ctx.org.id, user.userId, actorOfPrincipal(user, c.var.requestId));
    return "/";
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/members/:userId/roles",
  orgAction("member", "members", async (c, user, ctx, values) => {
    requireScope(asCtx(ctx), "members:manage");
    const actor = actorOfPrincipal(user, c.var.requestId);
    await setRoles(c.var.db, ctx.org.id, c.req.param("userId") ?? "", [values.role ?? ""], actor);
    return tabPath(ctx.org.slug, "members");
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/members/:userId/transfer",
  orgAction("member", "members", async (c, user, ctx) => {
    refuseWhenOwnedByParent(ctx.org);
    if (!ctx.roles.includes("owner")) throw new AppError("owner_required", "Only the owner can transfer ownership.");
    const actor = actorOfPrincipal(user, c.var.requestId);
    await transferOwnership(c.var.db, ctx.org.id, user.userId, c.req.param("userId") ?? "", actor);
    return tabPath(ctx.org.slug, "members");
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/members/:userId/remove",
  orgAction("member", "members", async (c, user, ctx) => {
    requireScope(asCtx(ctx), "members:manage");
    const actor = actorOfPrincipal(user, c.var.requestId);
    await removeMember(c.var.db, ctx.org.id, c.req.param("userId") ?? "", actor);
    return tabPath(ctx.org.slug, "members");
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/invitations",
  orgAction("invite", "members", async (c, user, ctx, values) => {
    requireInvitationAccess(asCtx(ctx));
    const parsed = parseForm("invite", CreateInvitationBody, values, (v) => ({ email: v.email ?? "", role: v.role }));
    if (!parsed.ok) return parsed.state;
    await createInvitation(c.env, c.var.db, ctx.org, parsed.data, actorOfPrincipal(user, c.var.requestId));
    return tabPath(ctx.org.slug, "members");
  }),
);

consoleRoutes.post(
  "/:orgSlug/organization/invitations/:id/:verb{resend|revoke}",
  orgAction("invite", "members", async (c, user, ctx) => {
    requireInvitationAccess(asCtx(ctx));
    const actor = actorOfPrincipal(user, c.var.requestId);
    const id = c.req.param("id") ?? "";
    if (c.req.param("verb") === "resend") await resendInvitation(c.env, c.var.db, ctx.org, id, actor);
    else await revokeInvitation(c.var.db, ctx.org.id, id, actor);
    return tabPath(ctx.org.slug, "members");
  }),
);

// ── Partner console ─────────────────────────────────────────────────────────────────────

async function partnerPage(c: C, user: UserPrincipal & { email: string }, ctx: OrgContext, state?: FormState) {
  requireScope(asCtx(ctx), "child_organizations:manage");
  const root = ctx.org.id;
  const db = c.var.db;
  const selectedId = state?.values.child_id || state?.values.parent_id || c.req.query("selected") || root;
  const chosen = await viewChild(db, root, selectedId);
  const top = await listChildren(db, root, { limit: 1 });
  const q = c.req.query("q")?.trim().slice(0, 100);
  const results = q ? (await searchSubtree(db, root, { q, limit: 50 })).data : undefined;
  const node = await nodeTab(c, ctx, chosen.id);
  return c.html(
    <PartnerConsolePage
      {...(await shellOf(c, user, ctx))}
      org={ctx.org}
      nav={navOf(ctx)}
      rootHasChildren={top.data.length > 0}
      q={q}
      results={results}
      selected={{ id: chosen.id, slug: chosen.slug, path: chosen.path }}
      node={node}
      state={state}
    />,
    state ? 400 : 200,
  );
}

/** The selected node's Members or Usage tab, read through the partner console's own subtree guard. */
async function nodeTab(c: C, ctx: OrgContext, id: string): Promise<NodeTab> {
  const target = await childOrg({ var: { org: ctx, db: c.var.db }, req: { param: () => id } }, "members:read");
  if (c.req.query("tab") !== "usage") {
    const [members, invitations] = await Promise.all([
      listMembers(c.var.db, target.id, { limit: 100 }),
      listInvitations(c.var.db, target.id, { limit: 100, status: "pending" }),
    ]);
    return { tab: "members", members: members.data, invitations: invitations.data };
  }
  const scope = c.req.query("scope") === "single" ? "single" : "all";
  const q = { from: nonBlank(c.req.query("from")), to: nonBlank(c.req.query("to")) };
  try {
    const w = resolveWindow(q);
    const store = usageStoreOf(c.env, c.var.db);
    const rows =
      scope === "single"
        ? await store.daily([target.id], w.fromDay, w.toDay)
        : await store.subtreeDaily(target.id, w.fromDay, w.toDay);
    const { totals } = summarize(rows, w);
    return { tab: "usage", scope, from: q.from ?? dayOf(w.from), to: q.to ?? dayOf(w.to + DAY_MS), totals };
  } catch (err) {
    if (!isFormRefusal(err)) throw err;
    return { tab: "usage", scope, from: q.from ?? "", to: q.to ?? "", error: err.detail ?? err.code };
  }
}

consoleRoutes.get(
  "/:orgSlug/partner-console",
  page(async (c) => {
    const user = await signedIn(c);
    return partnerPage(c, user, await inOrg(c, user));
  }),
);

/** The children of one node as tree items: what the tree fetches when a node is expanded. */
consoleRoutes.get(
  "/:orgSlug/partner-console/children",
  page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    requireScope(asCtx(ctx), "child_organizations:manage");
    const parentId = c.req.query("parent_id")?.slice(0, 64) || ctx.org.id;
    const level = Math.min(Math.max(Number(c.req.query("level")) || 2, 2), 64);
    const rows = await listChildren(c.var.db, ctx.org.id, { parent_id: parentId, limit: 100 });
    return c.html(<TreeItems slug={ctx.org.slug} rows={rows.data} level={level} />);
  }),
);

consoleRoutes.post(
  "/:orgSlug/partner-console/organizations",
  page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    const values = await formOf(c);
    const shape = (v: Record<string, string>) => ({ ...createShape(v), parent_id: v.parent_id ?? "" });
    const parsed = parseForm("child", CreateOrgBody, values, shape);
    if (!parsed.ok) return partnerPage(c, user, ctx, parsed.state);
    try {
      const parentId = parsed.data.parent_id ?? ctx.org.id;
      await authorizeParent({ var: { org: ctx, principal: user, db: c.var.db } }, parentId);
      const { db, lifecycle } = c.var;
      const input = {
        name: parsed.data.name,
        slug: parsed.data.slug || undefined,
        parentId,
        creatorUserId: user.userId,
      };
      const org = await createOrganization(db, lifecycle, { ...input, creatorRoles: ["admin"] }, limitsOf(c.env));
      c.executionCtx.waitUntil(lifecycle.afterCreation(c.env, org));
      return c.redirect(`/${ctx.org.slug}/partner-console?selected=${encodeURIComponent(org.id)}`, 303);
    } catch (err) {
      if (!isFormRefusal(err) || ["insufficient_scope", "forbidden"].includes(err.code)) throw err;
      return partnerPage(c, user, ctx, refusal("child", values, err));
    }
  }),
);

/**
 * A form on the selected node's Members tab: the partner console's own subtree guard
 * (`childOrg`: child_organizations:manage in the caller's org, the target in its subtree, else
 * the 404 page), then the same service as the API route on `{child_id}`.
 */
function nodeAction(
  form: string,
  act: (
    c: C,
    user: UserPrincipal,
    target: OrganizationRow,
    values: Record<string, string>,
  ) => Promise<FormState | null>,
) {
  return page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    const childId = c.req.param("childId") ?? "";
    const target = await childOrg({ var: { org: ctx, db: c.var.db }, req: { param: () => childId } }, "members:manage");
    const values = { ...(await formOf(c)), child_id: target.id };
    let state: FormState | null;
    try {
      state = await act(c, user, target, values);
    } catch (err) {
      if (!isFormRefusal(err) || ["insufficient_scope", "forbidden"].includes(err.code)) throw err;
      state = refusal(form, values, err);
    }
    if (state) return partnerPage(c, user, ctx, state);
    return c.redirect(`/${ctx.org.slug}/partner-console?selected=${encodeURIComponent(target.id)}&tab=members`, 303);
  });
}

consoleRoutes.post(
  "/:orgSlug/partner-console/organizations/:childId/invitations",
  nodeAction("node-invite", async (c, user, target, values) => {
    const parsed = parseForm("node-invite", CreateInvitationBody, values, (v) => ({
      email: v.email ?? "",
      role: v.role,
    }));
    if (!parsed.ok) return parsed.state;
    await createInvitation(c.env, c.var.db, target, parsed.data, actorOfPrincipal(user, c.var.requestId));
    return null;
  }),
);

consoleRoutes.post(
  "/:orgSlug/partner-console/organizations/:childId/invitations/:id/:verb{resend|revoke}",
  nodeAction("node-invite", async (c, user, target) => {
    const actor = actorOfPrincipal(user, c.var.requestId);
    const id = c.req.param("id") ?? "";
    if (c.req.param("verb") === "resend") await resendInvitation(c.env, c.var.db, target, id, actor);
    else await revokeInvitation(c.var.db, target.id, id, actor);
    return null;
  }),
);

consoleRoutes.post(
  "/:orgSlug/partner-console/organizations/:childId/members/:userId/roles",
  nodeAction("node-member", async (c, user, target, values) => {
    const actor = actorOfPrincipal(user, c.var.requestId);
    await setRoles(c.var.db, target.id, c.req.param("userId") ?? "", [values.role ?? ""], actor);
    return null;
  }),
);

consoleRoutes.post(
  "/:orgSlug/partner-console/organizations/:childId/members/:userId/remove",
  nodeAction("node-member", async (c, user, target) => {
    await removeMember(c.var.db, target.id, c.req.param("userId") ?? "", actorOfPrincipal(user, c.var.requestId));
    return null;
  }),
);

// ── Usage and billing ───────────────────────────────────────────────────────────────────

consoleRoutes.get(
  "/:orgSlug/usage",
  page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    requireScope(asCtx(ctx), "billing:manage");
    const common = { ...(await shellOf(c, user, ctx)), org: ctx.org, nav: navOf(ctx) };
    const q = { from: nonBlank(c.req.query("from")), to: nonBlank(c.req.query("to")) };
    let w: ReturnType<typeof resolveWindow>;
    try {
      w = resolveWindow(q);
    } catch (err) {
      if (!isFormRefusal(err)) throw err;
      const state = refusal("usage", { from: q.from ?? "", to: q.to ?? "" }, err);
      return c.html(<UsagePage {...common} window={{ from: q.from ?? "", to: q.to ?? "" }} state={state} />, 400);
    }
    const ids = [ctx.org.id];
    const [rows, inventory] = await Promise.all([
      usageStoreOf(c.env, c.var.db).daily(ids, w.fromDay, w.toDay),
      inventoryOf(c.var.db, ids),
    ]);
    const { totals, daily } = summarize(rows, w);
    const window = { from: q.from ?? dayOf(w.from), to: q.to ?? dayOf(w.to + DAY_MS) };
    return c.html(<UsagePage {...common} window={window} totals={totals} daily={daily} inventory={inventory} />);
  }),
);

async function billingPage(c: C, user: UserPrincipal & { email: string }, ctx: OrgContext, state?: FormState) {
  requireScope(asCtx(ctx), "organizations:read");
  const { org } = ctx;
  const view = billingView(c.env, org, await billingStateOf(c.var.db, org));
  const ledger = ctx.scopes.has("billing:manage")
    ? (await ledgerPage(c.var.db, org.id, { limit: 20 })).data.map((e) => ({
        id: e.id,
        kind: e.kind,
        description: e.description,
        amountCents: e.amountCents,
        at: new Date(e.createdAt).toISOString(),
      }))
    : null;
  const plans = PLAN_IDS.filter((id) => PLANS[id].checkout).map((id) => ({ id, name: PLANS[id].name }));
  const billing = {
    plan: view.plan,
    status: view.status,
    balanceCents: view.balance.amount_cents,
    currency: view.balance.currency,
    payer: { name: view.payer.name, self: view.payer.self },
  };
  return c.html(
    <BillingPage
      {...(await shellOf(c, user, ctx))}
      org={org}
      nav={navOf(ctx)}
      billing={billing}
      plans={plans}
      ledger={ledger}
      state={state}
    />,
    state ? 400 : 200,
  );
}

consoleRoutes.get(
  "/:orgSlug/billing",
  page(async (c) => {
    const user = await signedIn(c);
    return billingPage(c, user, await inOrg(c, user));
  }),
);

/** Change plan / top up: the provider's Checkout page (the local one in development) takes over. */
consoleRoutes.post(
  "/:orgSlug/billing/:what{checkout|top-up}",
  page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    requireScope(asCtx(ctx), "billing:manage");
    const values = await formOf(c);
    try {
      if (c.req.param("what") === "checkout") {
        const plan = z.enum(PLAN_IDS).safeParse(values.plan);
        if (!plan.success)
          return billingPage(c, user, ctx, { form: "billing", values, errors: {}, message: "Choose a plan." });
        return c.redirect((await startCheckout(c.env, c.var.db, ctx.org, plan.data)).url, 303);
      }
      const cents = Math.round(Number((values.amount ?? "").replace(",", ".")) * 100);
      return c.redirect((await startTopUp(c.env, c.var.db, ctx.org, cents)).url, 303);
    } catch (err) {
      if (!isFormRefusal(err) || ["insufficient_scope", "forbidden"].includes(err.code)) throw err;
      return billingPage(c, user, ctx, refusal("billing", values, err));
    }
  }),
);

// ── API keys and personal access tokens ─────────────────────────────────────────────────

/** The create form's expiry (presets, never, a date) as the API's CreateTokenBody fields. */
function tokenShape(v: Record<string, string>) {
  const base = { name: v.name ?? "" };
  if (v.expiry === "never") return { ...base, expires_at: null };
  if (v.expiry === "date") {
    const at = Date.parse(`${v.expires_on ?? ""}T00:00:00Z`);
    return { ...base, expires_at: Number.isFinite(at) ? at : -1 };
  }
  return { ...base, expires_in_days: Number(v.expiry ?? "30") };
}

const lineOf = (r: {
  id: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}): CredentialLine => ({
  id: r.id,
  name: r.name,
  createdAt: new Date(r.createdAt).toISOString(),
  expiresAt: r.expiresAt,
  lastUsed: r.lastUsedAt === null ? null : new Date(r.lastUsedAt).toISOString(),
});

async function keysPage(
  c: C,
  user: UserPrincipal & { email: string },
  ctx: OrgContext,
  extra: { secret?: string; state?: FormState } = {},
) {
  requireScope(asCtx(ctx), "api_keys:manage");
  const reach = reachInOrg(issuerOf(user), ctx.scopes);
  const rows = await listApiKeys(c.var.db, ctx.org.id, reach, 100, null);
  const action = `/${ctx.org.slug}/api-keys`;
  const page = (
    <CredentialsPage
      {...(await shellOf(c, user, ctx))}
      heading={`${ctx.org.name} · API keys`}
      noun="API key"
      action={action}
      lines={rows.slice(0, 100).map(lineOf)}
      tabs={<OrgTabs nav={navOf(ctx)} here="api keys" />}
      {...extra}
    />
  );
  return c.html(page, extra.state ? 400 : extra.secret ? 201 : 200);
}

consoleRoutes.get(
  "/:orgSlug/api-keys",
  page(async (c) => {
    const user = await signedIn(c);
    return keysPage(c, user, await inOrg(c, user));
  }),
);

consoleRoutes.post(
  "/:orgSlug/api-keys",
  page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    requireScope(asCtx(ctx), "api_keys:manage");
    const values = await formOf(c);
    const parsed = parseForm("key", CreateTokenBody, values, tokenShape);
    if (!parsed.ok) return keysPage(c, user, ctx, { state: parsed.state });
    try {
      const actor = actorOfPrincipal(user, c.var.requestId);
      const { token } = await createApiKey(
        c.var.db,
        ctx.org.id,
        actor,
        issuerOf(user),
        ctx.scopes,
        parsed.data,
        limitsOf(c.env),
      );
      return keysPage(c, user, ctx, { secret: token });
    } catch (err) {
      if (!isFormRefusal(err) || ["insufficient_scope", "forbidden"].includes(err.code)) throw err;
      return keysPage(c, user, ctx, { state: refusal("key", values, err) });
    }
  }),
);

consoleRoutes.post(
  "/:orgSlug/api-keys/:id/revoke",
  page(async (c) => {
    const user = await signedIn(c);
    const ctx = await inOrg(c, user);
    requireScope(asCtx(ctx), "api_keys:manage");
    const reach = reachInOrg(issuerOf(user), ctx.scopes);
    await revokeApiKey(c.var.db, ctx.org.id, c.req.param("id") ?? "", reach, actorOfPrincipal(user, c.var.requestId));
    return c.redirect(`/${ctx.org.slug}/api-keys`, 303);
  }),
);

// Any other page under an org slug.
consoleRoutes.get(
  "/:orgSlug/*",
  page(async (c) => {
    const user = await signedIn(c);
    await inOrg(c, user);
    return c.html(<ErrorPage {...(await shellOf(c, user))} title="" status={404} />, 404);
  }),
);
