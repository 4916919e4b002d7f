/** @jsxImportSource hono/jsx */
import type { z } from "zod";
import type { DomainSchema } from "../domains/schemas";
import type { BrandingField, EffectiveBranding, OwnBranding } from "../branding/service";
import type { FormState } from "./forms";
import { ActionButton, FieldError, FormMessage } from "./layout-view";
import { Field } from "./org-views";

export type DomainView = z.infer<typeof DomainSchema>;

const STATUS_TEXT = {
  pending: "Pending: create the records below, then verify.",
  active: "Active: the console and sign-in pages answer on this domain.",
  failed: "Failed",
} as const;

/** The custom domain: claim one, the DNS records to create, its status, "Verify" and release. */
export function DomainSection(p: { base: string; domain: DomainView | null; canManage: boolean; state?: FormState }) {
  const d = p.domain;
  const mine = p.state?.form === "domain" ? p.state : undefined;
  const fieldError = mine?.errors.domain ?? mine?.message;
  return (
    <section>
      <h2>Custom domain</h2>
      {d ? (
        <>
          <p>
            Domain: <strong>{d.domain}</strong> <span class="badge">{d.status}</span>
          </p>
          <p role="status">
            {STATUS_TEXT[d.status]}
            {d.reason ? ` ${d.reason}` : ""}
          </p>
          <table>
            <caption>DNS records to create</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {d.verification.map((r) => (
                <tr>
                  <td>{r.type}</td>
                  <td>
                    <code>{r.name}</code>
                  </td>
                  <td>
                    <code>{r.value}</code>
                  </td>
                </tr>
              ))}
              <tr>
                <td>CNAME</td>
                <td>
                  <code>{d.domain}</code>
                </td>
                <td>
                  <code>{d.cname_target}</code>
                </td>
              </tr>
            </tbody>
          </table>
          {d.checked_at ? <p class="note">Last checked {d.checked_at}.</p> : null}
        </>
      ) : (
        <p class="note">No custom domain.</p>
      )}
      {p.canManage ? (
        <>
          <FormMessage message={p.state?.form === "domain-check" ? p.state.message : undefined} />
          {d ? (
            <div class="row">
              <ActionButton action={`${p.base}/domain/verify`} text="Verify" />
              <ActionButton action={`${p.base}/domain/release`} text="Release domain" variant="danger" />
            </div>
          ) : null}
          <form method="post" action={`${p.base}/domain`} novalidate class="row">
            <div>
              <label for="domain-domain">{d ? "Replace with domain" : "Domain"}</label>
              <input
                id="domain-domain"
                name="domain"
                value={mine?.values.domain ?? ""}
                placeholder="app.example.com"
                aria-invalid={fieldError ? "true" : undefined}
                aria-describedby={fieldError ? "domain-domain-error" : undefined}
              />
            </div>
            <button type="submit">Set domain</button>
          </form>
          <FieldError id="domain-domain-error" message={fieldError} />
        </>
      ) : null}
    </section>
  );
}

const BRAND_LABELS: [BrandingField, string][] = [
  ["display_name", "Display name"],
  ["logo_url", "Logo URL"],
  ["primary_color", "Primary colour"],
  ["accent_color", "Accent colour"],
  ["support_email", "Support e-mail"],
];

/** Branding: the org's own values (a blank field is inherited) and the effective ones with their source. */
export function BrandingSection(p: {
  base: string;
  orgId: string;
  own: OwnBranding;
  effective: EffectiveBranding;
  canManage: boolean;
  state?: FormState;
}) {
  const source = (orgId: string | null) =>
    orgId === null ? "default" : orgId === p.orgId ? "this organization" : `inherited from ${orgId}`;
  return (
    <section>
      <h2>Branding</h2>
      <table>
        <caption>Effective branding</caption>
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">In force</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {BRAND_LABELS.map(([f, label]) => {
            const e = p.effective[f];
            return (
              <tr>
                <th scope="row">{label}</th>
                <td>{e.value === null ? "—" : String(e.value)}</td>
                <td>{source(e.org_id)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {p.canManage ? (
        <>
          <h3>This organization's own branding</h3>
          <p class="note">A blank field is inherited from the parent organization (or the default).</p>
          <FormMessage message={p.state?.form === "branding" ? p.state.message : undefined} />
          <form method="post" action={`${p.base}/branding`} novalidate>
            <Field
              form="branding"
              name="display_name"
              label="Display name"
              value={p.own.display_name ?? ""}
              state={p.state}
            />
            <Field
              form="branding"
              name="logo_url"
              label="Logo URL"
              type="url"
              value={p.own.logo_url ?? ""}
              state={p.state}
              hint="An https:// address."
            />
            <Field
              form="branding"
              name="primary_color"
              label="Primary colour"
              value={p.own.primary_color ?? ""}
              state={p.state}
              hint="As #rrggbb, e.g. #1f2937."
            />
            <Field
              form="branding"
              name="accent_color"
              label="Accent colour"
              value={p.own.accent_color ?? ""}
              state={p.state}
              hint="As #rrggbb, e.g. #1d4ed8."
            />
            <Field
              form="branding"
              name="support_email"
              label="Support e-mail"
              type="email"
              value={p.own.support_email ?? ""}
              state={p.state}
            />
            <p>
              <button type="submit">Save branding</button>
            </p>
          </form>
        </>
      ) : null}
    </section>
  );
}
