/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { CSS, SCRIPT } from "./assets";

/** One org of the signed-in user, as the context switcher lists it. */
export type OrgChoice = { slug: string; name: string; role: string };

/** What every signed-in page shows around its content. */
export type Shell = {
  title: string;
  email?: string;
  orgs?: OrgChoice[];
  current?: OrgChoice;
  /** The effective branding's colours (already checked as #rgb/#rrggbb) and display name. */
  brand?: { name: string; primary: string; accent: string; logo?: string | null };
};

/** The default theme's header and accent colours (no branding set anywhere up the tree). */
export const DEFAULT_PRIMARY = "#1f2937";
export const DEFAULT_ACCENT = "#1d4ed8";

const HEX = /^#(?:[0-9a-f]{3}){1,2}$/i;
export const colourOr = (value: string | null | undefined, fallback: string) =>
  value && HEX.test(value) ? value : fallback;

function ContextSwitcher({ orgs, current }: { orgs: OrgChoice[]; current?: OrgChoice }) {
  const settings = current ? `/${current.slug}/organization?tab=general` : "/new";
  return (
    <div class="switcher">
      <button type="button" id="ctx-button" aria-expanded="false" aria-controls="ctx-panel">
        {current ? `${current.name} (${current.role})` : "Choose organization"} ▾
      </button>
      <div id="ctx-panel" hidden>
        <label for="ctx-filter">Filter organizations</label>
        <input id="ctx-filter" type="search" autocomplete="off" />
        <ul id="ctx-orgs" aria-label="Your organizations">
          {orgs.map((o) => (
            <li>
              <a href={`/${o.slug}`} aria-current={o.slug === current?.slug ? "page" : undefined}>
                {o.name}
                <span class="badge">{o.role}</span>
              </a>
            </li>
          ))}
        </ul>
        <ul>
          <li>
            <a href={settings}>Organization settings</a>
          </li>
          <li>
            <a href="/new">Create organization</a>
          </li>
        </ul>
      </div>
    </div>
  );
}

export function Layout(props: Shell & { children?: Child }) {
  const primary = colourOr(props.brand?.primary, DEFAULT_PRIMARY);
  const accent = colourOr(props.brand?.accent, DEFAULT_ACCENT);
  const vars = `:root{--primary:${primary};--accent:${accent}}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{props.title}</title>
        <style dangerouslySetInnerHTML={{ __html: vars + CSS }} />
      </head>
      <body>
        <header class="top">
          <span class="brand">
            {props.brand?.logo && /^https:\/\//.test(props.brand.logo) ? (
              <img src={props.brand.logo} alt="" height="28" class="logo" />
            ) : null}
            {props.brand?.name ?? "Anyreach"}
          </span>
          {props.orgs ? <ContextSwitcher orgs={props.orgs} current={props.current} /> : null}
          {props.email ? (
            <form method="post" action="/sign-out" class="row">
              <span>{props.email}</span>
              <a href="/account/invitations">Account</a>
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
          ) : null}
        </header>
        <main>{props.children}</main>
        <script dangerouslySetInnerHTML={{ __html: SCRIPT }} />
      </body>
    </html>
  );
}

/** The 403 / 404 page: says what happened and where to go, names nothing of another tenant. */
export function ErrorPage(props: Shell & { status: 403 | 404; detail?: string }) {
  const heading = props.status === 404 ? "Page not found" : "You do not have access to this page";
  return (
    <Layout {...props} title={`${props.status} · ${heading}`}>
      <section>
        <h1>{heading}</h1>
        <p>
          {props.detail ??
            (props.status === 404
              ? "This page does not exist, or it belongs to an organization you are not a member of."
              : "Your role in this organization does not allow this.")}
        </p>
        <p>
          <a href="/">Go to your organizations</a>
        </p>
      </section>
    </Layout>
  );
}

/** A field's error, right below it (`id` is what the field's aria-describedby names). */
export function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p class="error" id={id}>
      {message}
    </p>
  ) : null;
}

/**
 * A form of one button that POSTs to `action`: the console's verbs on a row (remove, revoke,
 * resend, accept …). `label` is the button's accessible name where its text alone ("Remove")
 * would not say on what.
 */
export function ActionButton(p: { action: string; text: string; label?: string; variant?: "secondary" | "danger" }) {
  return (
    <form method="post" action={p.action}>
      <button type="submit" class={p.variant} aria-label={p.label}>
        {p.text}
      </button>
    </form>
  );
}

/** A form-level message (role=alert so a screen reader announces it). */
export function FormMessage({ message }: { message?: string }) {
  return message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;
}
