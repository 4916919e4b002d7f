/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { FormState } from "./forms";
import { ActionButton, FieldError, FormMessage, Layout, type Shell } from "./layout-view";

export type CredentialLine = {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: number | null;
  lastUsed: string | null;
};

const COPY = `document.addEventListener("click",e=>{const b=e.target.closest("[data-copy]");if(!b)return;
navigator.clipboard.writeText(document.getElementById(b.dataset.copy).value).then(()=>{b.textContent="Copied"})})`;

/**
 * An org's API keys or the user's personal access tokens: create (name; expiry 1–365 days,
 * never, or a date), the secret shown once with a copy button, the list without secrets, revoke.
 */
export function CredentialsPage(
  p: Shell & {
    heading: string;
    noun: string;
    action: string;
    lines: CredentialLine[];
    secret?: string;
    state?: FormState;
    tabs?: Child;
  },
) {
  const v = (f: string, d = "") => p.state?.values[f] ?? d;
  const e = (f: string) => p.state?.errors[f];
  const expiry = v("expiry", "30");
  return (
    <Layout {...p} title={p.heading}>
      <h1>{p.heading}</h1>
      {p.tabs}
      {p.secret ? (
        <section role="status">
          <h2>Your new {p.noun}</h2>
          <p>Copy it now: it is shown only once.</p>
          <div class="row">
            <input id="secret" readonly value={p.secret} aria-label={`New ${p.noun}`} />
            <button type="button" data-copy="secret">
              Copy
            </button>
          </div>
          <script dangerouslySetInnerHTML={{ __html: COPY }} />
        </section>
      ) : null}
      <section>
        <h2>Create</h2>
        <FormMessage message={p.state?.message} />
        <form method="post" action={p.action} novalidate>
          <label for="cred-name">Name</label>
          <input id="cred-name" name="name" required value={v("name")} aria-describedby="cred-name-error" />
          <FieldError id="cred-name-error" message={e("name")} />
          <label for="cred-expiry">Expires</label>
          <select id="cred-expiry" name="expiry">
            {["1", "7", "30", "90", "365"].map((d) => (
              <option value={d} selected={expiry === d}>
                in {d} day{d === "1" ? "" : "s"}
              </option>
            ))}
            <option value="never" selected={expiry === "never"}>
              never
            </option>
            <option value="date" selected={expiry === "date"}>
              on a date
            </option>
          </select>
          <label for="cred-date">Date (when "on a date")</label>
          <input
            id="cred-date"
            name="expires_on"
            type="date"
            value={v("expires_on")}
            aria-describedby="cred-date-error"
          />
          <FieldError id="cred-date-error" message={e("expires_at") ?? e("expires_in_days")} />
          <p>
            <button type="submit">Create {p.noun}</button>
          </p>
        </form>
      </section>
      <section>
        <h2>Active</h2>
        {p.lines.length === 0 ? <p class="note">None yet.</p> : null}
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {p.lines.map((l) => (
              <tr>
                <td>{l.name}</td>
                <td>{l.createdAt.slice(0, 10)}</td>
                <td>{l.expiresAt === null ? "never" : new Date(l.expiresAt).toISOString().slice(0, 10)}</td>
                <td>{l.lastUsed ? l.lastUsed.slice(0, 10) : "—"}</td>
                <td>
                  <ActionButton
                    action={`${p.action}/${l.id}/revoke`}
                    text="Revoke"
                    label={`Revoke ${l.name}`}
                    variant="danger"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}
