/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { OrganizationRow } from "../db/schema";
import type { MemberView } from "../members/schemas";
import type { InvitationView } from "../invitations/view";
import type { FormState } from "./forms";
import { ActionButton, FieldError, FormMessage, Layout, type Shell } from "./layout-view";
import { SLUG_SCRIPT } from "./assets";

const err = (s: FormState | undefined, form: string, field: string) => (s?.form === form ? s.errors[field] : undefined);
const val = (s: FormState | undefined, form: string, field: string, fallback = "") =>
  s?.form === form ? (s.values[field] ?? fallback) : fallback;

/** A labelled text field with its server-side error below it. */
export function Field(p: {
  form: string;
  name: string;
  label: string;
  state?: FormState;
  value?: string;
  type?: string;
  required?: boolean;
  hint?: string;
}) {
  const id = `${p.form}-${p.name}`;
  const error = err(p.state, p.form, p.name);
  const described = [p.hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div>
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? "text"}
        value={val(p.state, p.form, p.name, p.value ?? "")}
        required={p.required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {p.hint ? (
        <p class="note" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

export type OrgNav = { slug: string; partner: boolean };

/** The tabs of an org's pages; `here` is marked aria-current. */
export function OrgTabs({ nav, here }: { nav: OrgNav; here: string }) {
  const links: [string, string][] = [
    ["overview", `/${nav.slug}`],
    ["organization", `/${nav.slug}/organization?tab=general`],
    ["members", `/${nav.slug}/organization?tab=members`],
    ...(nav.partner ? ([["partner console", `/${nav.slug}/partner-console`]] as [string, string][]) : []),
    ["usage", `/${nav.slug}/usage`],
    ["billing", `/${nav.slug}/billing`],
    ["api keys", `/${nav.slug}/api-keys`],
  ];
  return (
    <nav class="tabs" aria-label="Organization">
      {links.map(([label, href]) => (
        <a href={href} aria-current={label === here ? "page" : undefined}>
          {label === "api keys" ? "API keys" : label[0]?.toUpperCase() + label.slice(1)}
        </a>
      ))}
    </nav>
  );
}

export function OrgHomePage(p: Shell & { org: OrganizationRow; nav: OrgNav; members: number }) {
  return (
    <Layout {...p} title={p.org.name}>
      <h1>{p.org.name}</h1>
      <OrgTabs nav={p.nav} here="overview" />
      <section>
        <h2>Overview</h2>
        <table>
          <tbody>
            <tr>
              <th scope="row">Slug</th>
              <td>{p.org.slug}</td>
            </tr>
            <tr>
              <th scope="row">Status</th>
              <td>{p.org.status}</td>
            </tr>
            <tr>
              <th scope="row">Plan</th>
              <td>{p.org.plan}</td>
            </tr>
            <tr>
              <th scope="row">Members</th>
              <td>{p.members}</td>
            </tr>
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

export function CreateOrgPage(p: Shell & { state?: FormState }) {
  return (
    <Layout {...p} title="Create organization">
      <section>
        <h1>Create organization</h1>
        <FormMessage message={p.state?.message} />
        <form method="post" action="/new" novalidate>
          <Field form="create" name="name" label="Name" state={p.state} required />
          <Field
            form="create"
            name="slug"
            label="Slug"
            state={p.state}
            hint="Optional: Latin letters, digits and hyphens. Generated from the name when blank."
          />
          <p class="note" id="create-slug-status" role="status" aria-live="polite" />
          <script dangerouslySetInnerHTML={{ __html: SLUG_SCRIPT }} />
          <p>
            <button type="submit">Create</button>
          </p>
        </form>
      </section>
    </Layout>
  );
}

type SettingsProps = Shell & {
  org: OrganizationRow;
  nav: OrgNav;
  isOwner: boolean;
  canManage: boolean;
  state?: FormState;
};

const ADDRESS: [string, string][] = [
  ["line1", "Address line 1"],
  ["line2", "Address line 2"],
  ["city", "City"],
  ["state", "State or region"],
  ["postal_code", "Postal code"],
  ["country", "Country (two letters, e.g. DE)"],
];

const addressOf = (o: OrganizationRow) => (o.billingAddress ?? {}) as Record<string, string | undefined>;

export function GeneralTab(p: SettingsProps & { children?: Child }) {
  const base = `/${p.org.slug}/organization`;
  return (
    <Layout {...p} title={`${p.org.name} · Organization settings`}>
      <h1>Organization settings</h1>
      <OrgTabs nav={p.nav} here="organization" />
      <section>
        <h2>General</h2>
        {p.org.avatarUrl ? <img src={p.org.avatarUrl} alt={`Avatar of ${p.org.name}`} width="64" height="64" /> : null}
        <p>
          Status: <span class="badge">{p.org.status}</span>
        </p>
        <FormMessage message={p.state?.form === "general" ? p.state.message : undefined} />
        {p.canManage ? (
          <form method="post" action={`${base}/general`} novalidate>
            <Field form="general" name="name" label="Name" value={p.org.name} state={p.state} required />
            <Field
              form="general"
              name="slug"
              label="Slug"
              value={p.org.slug}
              state={p.state}
              hint="Changing the slug changes public URLs; the old slug keeps working for 30 days."
            />
            <Field
              form="general"
              name="avatar_url"
              label="Avatar URL"
              type="url"
              value={p.org.avatarUrl ?? ""}
              state={p.state}
              hint="An http(s) address of the organization's picture; blank for none."
            />
            <Field
              form="general"
              name="billing_email"
              label="Billing e-mail"
              type="email"
              value={p.org.billingEmail ?? ""}
              state={p.state}
            />
            <fieldset aria-describedby="general-billing_address-error">
              <legend>Billing address</legend>
              {ADDRESS.map(([f, label]) => (
                <Field
                  form="general"
                  name={`address_${f}`}
                  label={label}
                  value={addressOf(p.org)[f] ?? ""}
                  state={p.state}
                />
              ))}
              <FieldError id="general-billing_address-error" message={err(p.state, "general", "billing_address")} />
            </fieldset>
            <Field
              form="general"
              name="phone_numbers"
              label="Phone numbers"
              value={p.org.phoneNumbers.join(", ")}
              state={p.state}
              hint="E.164, separated by commas, e.g. +14155550100. Only numbers provisioned to this organization."
            />
            <p>
              <button type="submit">Save</button>
            </p>
          </form>
        ) : (
          <dl>
            <dt>Name</dt>
            <dd>{p.org.name}</dd>
            <dt>Slug</dt>
            <dd>{p.org.slug}</dd>
            <dt>Billing e-mail</dt>
            <dd>{p.org.billingEmail ?? "—"}</dd>
            <dt>Billing address</dt>
            <dd>
              {ADDRESS.map(([f]) => addressOf(p.org)[f])
                .filter(Boolean)
                .join(", ") || "—"}
            </dd>
            <dt>Phone numbers</dt>
            <dd>{p.org.phoneNumbers.join(", ") || "—"}</dd>
          </dl>
        )}
      </section>
      {p.children}
      {p.isOwner ? (
        <section>
          <h2>Delete organization</h2>
          <p>This deletes the organization and everything it owns. It cannot be undone.</p>
          <FormMessage message={p.state?.form === "delete" ? p.state.message : undefined} />
          <form method="post" action={`${base}/delete`} novalidate>
            <Field form="delete" name="slug" label={`Type the slug "${p.org.slug}" to confirm`} state={p.state} />
            <p>
              <button type="submit" class="danger">
                Delete organization
              </button>
            </p>
          </form>
        </section>
      ) : (
        <section>
          <h2>Leave organization</h2>
          <FormMessage message={p.state?.form === "leave" ? p.state.message : undefined} />
          <ActionButton action={`${base}/leave`} text="Leave organization" variant="danger" />
        </section>
      )}
    </Layout>
  );
}

const ROLES = ["admin", "member", "viewer"] as const;

/** Removing a member, on the org's Members tab and on a partner node's (`base` is either's path). */
export function RemoveMember({ base, member }: { base: string; member: Pick<MemberView, "user_id" | "email"> }) {
  return (
    <ActionButton
      action={`${base}/members/${member.user_id}/remove`}
      text="Remove"
      label={`Remove ${member.email}`}
      variant="danger"
    />
  );
}

/** Resend and revoke of a pending invitation, on the org's Members tab and on a partner node's. */
export function InvitationActions({
  base,
  invitation,
}: {
  base: string;
  invitation: Pick<InvitationView, "id" | "email">;
}) {
  const at = `${base}/invitations/${invitation.id}`;
  return (
    <>
      <ActionButton
        action={`${at}/resend`}
        text="Resend"
        label={`Resend invitation to ${invitation.email}`}
        variant="secondary"
      />
      <ActionButton
        action={`${at}/revoke`}
        text="Revoke"
        label={`Revoke invitation to ${invitation.email}`}
        variant="danger"
      />
    </>
  );
}

export function RoleSelect({ id, name, selected }: { id: string; name: string; selected?: string }) {
  return (
    <select id={id} name={name}>
      {ROLES.map((r) => (
        <option value={r} selected={r === selected}>
          {r}
        </option>
      ))}
    </select>
  );
}

export function MembersTab(
  p: SettingsProps & { members: MemberView[]; invitations: InvitationView[] | null; selfId: string },
) {
  const base = `/${p.org.slug}/organization`;
  return (
    <Layout {...p} title={`${p.org.name} · Members`}>
      <h1>Members</h1>
      <OrgTabs nav={p.nav} here="members" />
      <section>
        <h2>Members</h2>
        <FormMessage message={p.state?.form === "member" ? p.state.message : undefined} />
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              {p.canManage ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {p.members.map((m) => (
              <tr>
                <td>{m.name ? `${m.name} <${m.email}>` : m.email}</td>
                <td>
                  {m.roles.map((r) => (
                    <span class="badge">{r}</span>
                  ))}
                </td>
                {p.canManage ? (
                  <td>
                    {m.is_owner || m.user_id === p.selfId ? null : (
                      <div class="row">
                        <form method="post" action={`${base}/members/${m.user_id}/roles`} class="row">
                          <label for={`role-${m.user_id}`} class="visually-hidden">
                            Role of {m.email}
                          </label>
                          <RoleSelect id={`role-${m.user_id}`} name="role" selected={m.roles[0]} />
                          <button type="submit" class="secondary" aria-label={`Change role of ${m.email}`}>
                            Change role
                          </button>
                        </form>
                        {p.isOwner ? (
                          <ActionButton
                            action={`${base}/members/${m.user_id}/transfer`}
                            text="Transfer ownership"
                            label={`Transfer ownership to ${m.email}`}
                            variant="secondary"
                          />
                        ) : null}
                        <RemoveMember base={base} member={m} />
                      </div>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Invitations</h2>
        {p.invitations === null ? (
          <p role="alert">Failed to load invitations.</p>
        ) : (
          <>
            <FormMessage message={p.state?.form === "invite" ? p.state.message : undefined} />
            <details open={p.state?.form === "invite" ? true : undefined}>
              <summary class="button">Invite</summary>
              <form method="post" action={`${base}/invitations`} novalidate>
                <Field form="invite" name="email" label="Email" type="email" state={p.state} required />
                <label for="invite-role">Role</label>
                <RoleSelect id="invite-role" name="role" selected={val(p.state, "invite", "role", "member")} />
                <FieldError id="invite-role-error" message={err(p.state, "invite", "role")} />
                <p>
                  <button type="submit">Send invitation</button>
                </p>
              </form>
            </details>
            {p.invitations.length === 0 ? (
              <p class="note">No pending invitations.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Invited</th>
                    <th scope="col">Role</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {p.invitations.map((i) => (
                    <tr>
                      <td>{i.email}</td>
                      <td>
                        <span class="badge">{i.role}</span>
                      </td>
                      <td>{i.expires_at.slice(0, 10)}</td>
                      <td class="row">
                        <InvitationActions base={base} invitation={i} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </section>
    </Layout>
  );
}

export type MyInvitation = { id: string; role: string; org: { name: string; slug: string } };

export function AccountInvitationsPage(p: Shell & { invitations: MyInvitation[]; message?: string }) {
  return (
    <Layout {...p} title="Your invitations">
      <h1>Your account</h1>
      <nav class="tabs" aria-label="Account">
        <a href="/account/invitations" aria-current="page">
          Invitations
        </a>
        <a href="/account/tokens">Personal access tokens</a>
      </nav>
      <section>
        <h2>Pending invitations</h2>
        <FormMessage message={p.message} />
        {p.invitations.length === 0 ? <p class="note">No pending invitations.</p> : null}
        <ul>
          {p.invitations.map((i) => (
            <li class="row">
              <span>
                {i.org.name} <span class="badge">{i.role}</span>
              </span>
              <ActionButton
                action={`/account/invitations/${i.id}/accept`}
                text="Accept"
                label={`Accept invitation to ${i.org.name}`}
              />
              <ActionButton
                action={`/account/invitations/${i.id}/decline`}
                text="Decline"
                label={`Decline invitation to ${i.org.name}`}
                variant="secondary"
              />
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
