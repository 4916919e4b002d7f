/** @jsxImportSource hono/jsx */
import type { OrganizationRow } from "../db/schema";
import type { ChildRow } from "../db/tree";
import type { FormState } from "./forms";
import { FieldError, FormMessage, Layout, type Shell } from "./layout-view";
import { InvitationActions, type OrgNav, OrgTabs, RemoveMember, RoleSelect } from "./org-views";
import type { MemberView } from "../members/schemas";
import type { InvitationView } from "../invitations/view";
import type { UsageFigures } from "../usage/schemas";

/** The selected node's tab: its members, or its usage (`all`: with its subtree; `single`: alone). */
export type NodeTab =
  | { tab: "members"; members: MemberView[]; invitations: InvitationView[] }
  | { tab: "usage"; scope: "all" | "single"; from: string; to: string; totals?: UsageFigures; error?: string };

export type SearchResult = { id: string; slug: string; path: string };
export type Selected = { id: string; slug: string; path: string };

const pageOf = (slug: string) => `/${slug}/partner-console`;

/** Tree items for the children of one node: what the tree fetches when a node is expanded. */
export function TreeItems({ slug, rows, level }: { slug: string; rows: ChildRow[]; level: number }) {
  return (
    <>
      {rows.map((r) => (
        <TreeItem slug={slug} id={r.id} label={r.slug} level={level} hasChildren={r.has_children} />
      ))}
    </>
  );
}

function TreeItem(p: {
  slug: string;
  id: string;
  label: string;
  level: number;
  hasChildren: boolean;
  first?: boolean;
}) {
  const base = pageOf(p.slug);
  return (
    // biome-ignore lint/a11y/useFocusableInteractive: roving tabindex (0 on one item, -1 on the rest), WAI-ARIA tree pattern
    <li
      role="treeitem"
      aria-label={p.label}
      aria-level={p.level}
      aria-expanded={p.hasChildren ? "false" : undefined}
      tabindex={p.first ? 0 : -1}
      data-children={`${base}/children?parent_id=${encodeURIComponent(p.id)}&level=${p.level + 1}`}
    >
      <span class="node">
        <span class="toggle" aria-hidden="true">
          {p.hasChildren ? "▸" : "·"}
        </span>
        <a href={`${base}?selected=${encodeURIComponent(p.id)}`} tabindex={-1}>
          {p.label}
        </a>
        <a
          href={`${base}?selected=${encodeURIComponent(p.id)}#new`}
          tabindex={-1}
          aria-label={`New organization under ${p.label}`}
        >
          +
        </a>
      </span>
      {/* biome-ignore lint/a11y/useSemanticElements: a tree's group of child items (WAI-ARIA tree pattern) */}
      {p.hasChildren ? <ul role="group" hidden /> : null}
    </li>
  );
}

export function PartnerConsolePage(
  p: Shell & {
    org: OrganizationRow;
    nav: OrgNav;
    rootHasChildren: boolean;
    q?: string;
    results?: SearchResult[];
    selected: Selected;
    node: NodeTab;
    state?: FormState;
  },
) {
  const base = pageOf(p.org.slug);
  const sel = `${base}?selected=${encodeURIComponent(p.selected.id)}`;
  const e = (f: string) => (p.state?.form === "child" ? p.state.errors[f] : undefined);
  const v = (f: string) => (p.state?.form === "child" ? (p.state.values[f] ?? "") : "");
  return (
    <Layout {...p} title={`${p.org.name} · Partner console`}>
      <h1>Partner console</h1>
      <OrgTabs nav={p.nav} here="partner console" />
      <section>
        <h2>Search</h2>
        {/* biome-ignore lint/a11y/useSemanticElements: <search> is not yet exposed as a landmark everywhere */}
        <form method="get" action={base} role="search" class="row">
          <div>
            <label for="q">Search organizations</label>
            <input id="q" name="q" type="search" value={p.q ?? ""} />
          </div>
          <button type="submit">Search</button>
        </form>
        {p.results ? (
          p.results.length === 0 ? (
            <p role="status">No organization matches.</p>
          ) : (
            <ul aria-label="Search results">
              {p.results.map((r) => (
                <li>
                  <a href={`${base}?selected=${encodeURIComponent(r.id)}`}>{r.slug}</a>{" "}
                  <span class="crumb">{r.path}</span>
                </li>
              ))}
            </ul>
          )
        ) : null}
      </section>
      <section>
        <h2 id="tree-label">Organizations</h2>
        <p class="note">Arrow keys move and expand; Enter selects.</p>
        {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the WAI-ARIA tree pattern on a list */}
        <ul role="tree" aria-labelledby="tree-label">
          <TreeItem
            slug={p.org.slug}
            id={p.org.id}
            label={p.org.slug}
            level={1}
            hasChildren={p.rootHasChildren}
            first
          />
        </ul>
      </section>
      <section id="new">
        <h2>Selected: {p.selected.slug}</h2>
        <p>
          Path: <span class="crumb">{p.selected.path}</span>
        </p>
        <nav class="tabs" aria-label="Selected organization">
          <a href={`${sel}&tab=members`} aria-current={p.node.tab === "members" ? "page" : undefined}>
            Members
          </a>
          <a href={`${sel}&tab=usage`} aria-current={p.node.tab === "usage" ? "page" : undefined}>
            Usage
          </a>
        </nav>
        {p.node.tab === "members" ? (
          <NodeMembers
            base={base}
            selected={p.selected}
            members={p.node.members}
            invitations={p.node.invitations}
            state={p.state}
          />
        ) : (
          <div>
            <form method="get" action={base} class="row" novalidate>
              <input type="hidden" name="selected" value={p.selected.id} />
              <input type="hidden" name="tab" value="usage" />
              <div>
                <label for="node-scope">Scope</label>
                <select id="node-scope" name="scope">
                  <option value="all" selected={p.node.scope === "all"}>
                    all (with its clients)
                  </option>
                  <option value="single" selected={p.node.scope === "single"}>
                    single (this org alone)
                  </option>
                </select>
              </div>
              <div>
                <label for="node-from">From</label>
                <input id="node-from" name="from" type="date" value={p.node.from} />
              </div>
              <div>
                <label for="node-to">To (exclusive)</label>
                <input id="node-to" name="to" type="date" value={p.node.to} aria-describedby="node-usage-error" />
              </div>
              <button type="submit">Show usage</button>
            </form>
            <FieldError id="node-usage-error" message={p.node.error} />
            {p.node.totals ? (
              <table>
                <caption class="visually-hidden">Usage of {p.selected.slug}</caption>
                <tbody>
                  <tr>
                    <th scope="row">Calls</th>
                    <td>{p.node.totals.total_calls}</td>
                  </tr>
                  <tr>
                    <th scope="row">Voice minutes</th>
                    <td>{p.node.totals.voice_minutes}</td>
                  </tr>
                  <tr>
                    <th scope="row">Chat minutes</th>
                    <td>{p.node.totals.chat_minutes}</td>
                  </tr>
                  <tr>
                    <th scope="row">Workflow runs</th>
                    <td>{p.node.totals.workflow_runs_total}</td>
                  </tr>
                </tbody>
              </table>
            ) : null}
          </div>
        )}
        <h3>New organization</h3>
        <p class="note">It is created under {p.selected.slug}; you become its admin.</p>
        <FormMessage message={p.state?.form === "child" ? p.state.message : undefined} />
        <form method="post" action={`${base}/organizations`} novalidate>
          <input type="hidden" name="parent_id" value={p.selected.id} />
          <label for="child-name">Name</label>
          <input id="child-name" name="name" required value={v("name")} aria-describedby="child-name-error" />
          <FieldError id="child-name-error" message={e("name")} />
          <label for="child-slug">Slug</label>
          <input id="child-slug" name="slug" value={v("slug")} aria-describedby="child-slug-error" />
          <FieldError id="child-slug-error" message={e("slug")} />
          <p>
            <button type="submit">New organization</button>
          </p>
        </form>
      </section>
    </Layout>
  );
}

/**
 * The selected node's members with "Change role" and "Remove", and an invitation form: the
 * same actions as /admin/partner-console/organizations/{child_id}/members and …/invitations.
 */
function NodeMembers(p: {
  base: string;
  selected: Selected;
  members: MemberView[];
  invitations: InvitationView[];
  state?: FormState;
}) {
  const target = `${p.base}/organizations/${encodeURIComponent(p.selected.id)}`;
  const e = (form: string, f: string) => (p.state?.form === form ? p.state.errors[f] : undefined);
  const v = (form: string, f: string, fallback = "") =>
    p.state?.form === form ? (p.state.values[f] ?? fallback) : fallback;
  const emailError = e("node-invite", "email");
  return (
    <div>
      <FormMessage message={p.state?.form === "node-member" ? p.state.message : undefined} />
      <table>
        <caption class="visually-hidden">Members of {p.selected.slug}</caption>
        <tbody>
          {p.members.map((m) => (
            <tr>
              <td>{m.email}</td>
              <td>
                {m.roles.map((r) => (
                  <span class="badge">{r}</span>
                ))}
              </td>
              <td>
                {m.is_owner ? null : (
                  <div class="row">
                    <form method="post" action={`${target}/members/${m.user_id}/roles`} class="row">
                      <label for={`node-role-${m.user_id}`} class="visually-hidden">
                        Role of {m.email}
                      </label>
                      <RoleSelect id={`node-role-${m.user_id}`} name="role" selected={m.roles[0]} />
                      <button type="submit" class="secondary" aria-label={`Change role of ${m.email}`}>
                        Change role
                      </button>
                    </form>
                    <RemoveMember base={target} member={m} />
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Pending invitations</h3>
      {p.invitations.length === 0 ? (
        <p class="note">No pending invitations.</p>
      ) : (
        <ul aria-label={`Pending invitations to ${p.selected.slug}`}>
          {p.invitations.map((i) => (
            <li class="row">
              {i.email} <span class="badge">{i.role}</span> <span class="note">until {i.expires_at.slice(0, 10)}</span>
              <InvitationActions base={target} invitation={i} />
            </li>
          ))}
        </ul>
      )}
      <h3>Invite to {p.selected.slug}</h3>
      <FormMessage message={p.state?.form === "node-invite" ? p.state.message : undefined} />
      <form method="post" action={`${target}/invitations`} novalidate>
        <label for="node-invite-email">Email</label>
        <input
          id="node-invite-email"
          name="email"
          type="email"
          required
          value={v("node-invite", "email")}
          aria-invalid={emailError ? "true" : undefined}
          aria-describedby={emailError ? "node-invite-email-error" : undefined}
        />
        <FieldError id="node-invite-email-error" message={emailError} />
        <label for="node-invite-role">Role</label>
        <RoleSelect id="node-invite-role" name="role" selected={v("node-invite", "role", "member")} />
        <FieldError id="node-invite-role-error" message={e("node-invite", "role")} />
        <p>
          <button type="submit">Send invitation</button>
        </p>
      </form>
    </div>
  );
}
