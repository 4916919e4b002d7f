/** @jsxImportSource hono/jsx */
import type { OrganizationRow } from "../db/schema";
import type { DailyFigures, Inventory, UsageFigures } from "../usage/schemas";
import type { FormState } from "./forms";
import { FieldError, FormMessage, Layout, type Shell } from "./layout-view";
import { type OrgNav, OrgTabs } from "./org-views";

const money = (cents: number, currency: string) =>
  `${cents < 0 ? "−" : ""}${(Math.abs(cents) / 100).toFixed(2)} ${currency.toUpperCase()}`;

/** The daily breakdown as bars (calls per day); the table below carries the same figures for screen readers. */
function DailyChart({ daily }: { daily: DailyFigures[] }) {
  const w = 640;
  const h = 160;
  const max = Math.max(1, ...daily.map((d) => d.total_calls + d.workflow_runs_total));
  const bw = w / Math.max(daily.length, 1);
  return (
    <svg viewBox={`0 0 ${w} ${h + 20}`} width="100%" role="img" aria-label="Calls and workflow runs per day">
      <line x1="0" y1={h} x2={w} y2={h} stroke="#6b7280" />
      {daily.map((d, i) => {
        const v = d.total_calls + d.workflow_runs_total;
        const bh = (v / max) * (h - 10);
        return (
          <rect x={i * bw + 1} y={h - bh} width={Math.max(bw - 2, 1)} height={bh} fill="var(--accent)">
            <title>{`${d.date}: ${d.total_calls} calls, ${d.workflow_runs_total} workflow runs`}</title>
          </rect>
        );
      })}
      <text x="0" y={h + 16} font-size="12" fill="#374151">
        {daily[0]?.date ?? ""}
      </text>
      <text x={w} y={h + 16} font-size="12" fill="#374151" text-anchor="end">
        {daily[daily.length - 1]?.date ?? ""}
      </text>
    </svg>
  );
}

export function UsagePage(
  p: Shell & {
    org: OrganizationRow;
    nav: OrgNav;
    window: { from: string; to: string };
    totals?: UsageFigures;
    daily?: DailyFigures[];
    inventory?: Inventory;
    state?: FormState;
  },
) {
  const e = (f: string) => p.state?.errors[f];
  return (
    <Layout {...p} title={`${p.org.name} · Usage`}>
      <h1>Usage</h1>
      <OrgTabs nav={p.nav} here="usage" />
      <section>
        <form method="get" action={`/${p.org.slug}/usage`} class="row" novalidate>
          <div>
            <label for="from">From</label>
            <input id="from" name="from" type="date" value={p.window.from} aria-describedby="from-error" />
            <FieldError id="from-error" message={e("from")} />
          </div>
          <div>
            <label for="to">To (exclusive)</label>
            <input id="to" name="to" type="date" value={p.window.to} aria-describedby="to-error to-hint" />
            <FieldError id="to-error" message={e("to")} />
          </div>
          <button type="submit">Show</button>
        </form>
        <p class="note" id="to-hint">
          Default: this month to date (UTC). A window spans at most 366 days.
        </p>
        <FormMessage message={p.state?.message} />
      </section>
      {p.totals && p.daily && p.inventory ? (
        <>
          <section>
            <h2>Figures</h2>
            <table>
              <tbody>
                <tr>
                  <th scope="row">Calls</th>
                  <td>
                    {p.totals.total_calls} ({p.totals.inbound_calls} inbound, {p.totals.outbound_calls} outbound)
                  </td>
                </tr>
                <tr>
                  <th scope="row">Voice minutes</th>
                  <td>{p.totals.voice_minutes}</td>
                </tr>
                <tr>
                  <th scope="row">Chat minutes</th>
                  <td>{p.totals.chat_minutes}</td>
                </tr>
                <tr>
                  <th scope="row">Workflow runs</th>
                  <td>
                    {p.totals.workflow_runs_total} ({p.totals.workflow_runs_failed} failed)
                  </td>
                </tr>
                <tr>
                  <th scope="row">Agents / phone numbers / knowledge bases</th>
                  <td>
                    {p.inventory.agents} / {p.inventory.phone_numbers} / {p.inventory.knowledge_bases}
                  </td>
                </tr>
              </tbody>
            </table>
          </section>
          <section>
            <h2>Daily breakdown</h2>
            <DailyChart daily={p.daily} />
            <table>
              <caption class="visually-hidden">Usage per day</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Minutes</th>
                  <th scope="col">Workflow runs</th>
                </tr>
              </thead>
              <tbody>
                {p.daily.map((d) => (
                  <tr>
                    <td>{d.date}</td>
                    <td>{d.total_calls}</td>
                    <td>{Math.round((d.voice_minutes + d.chat_minutes) * 10) / 10}</td>
                    <td>{d.workflow_runs_total}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </Layout>
  );
}

export type LedgerLine = { id: string; kind: string; description: string; amountCents: number; at: string };

export function BillingPage(
  p: Shell & {
    org: OrganizationRow;
    nav: OrgNav;
    billing: {
      plan: string;
      status: string;
      balanceCents: number;
      currency: string;
      payer: { name: string; self: boolean };
    };
    plans: { id: string; name: string }[];
    ledger: LedgerLine[] | null;
    state?: FormState;
  },
) {
  const base = `/${p.org.slug}/billing`;
  const b = p.billing;
  return (
    <Layout {...p} title={`${p.org.name} · Billing`}>
      <h1>Billing</h1>
      <OrgTabs nav={p.nav} here="billing" />
      <section>
        <h2>Plan</h2>
        <p>
          Plan: <span class="badge">{b.plan}</span> · Status: <span class="badge">{b.status}</span>
        </p>
        <p>Balance: {money(b.balanceCents, b.currency)}</p>
        {b.payer.self ? null : <p class="note">Billed to {b.payer.name}.</p>}
        <FormMessage message={p.state?.message} />
        {p.ledger !== null && b.payer.self ? (
          <div class="row">
            <form method="post" action={`${base}/checkout`} class="row">
              <div>
                <label for="plan">Plan</label>
                <select id="plan" name="plan">
                  {p.plans.map((pl) => (
                    <option value={pl.id} selected={pl.id === b.plan}>
                      {pl.name}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit">Change plan</button>
            </form>
            <form method="post" action={`${base}/top-up`} class="row" novalidate>
              <div>
                <label for="amount">Top-up amount ({b.currency.toUpperCase()})</label>
                <input id="amount" name="amount" inputmode="decimal" value={p.state?.values.amount ?? "25"} />
                <FieldError id="amount-error" message={p.state?.errors.amount_cents} />
              </div>
              <button type="submit">Top up</button>
            </form>
          </div>
        ) : null}
      </section>
      <section>
        <h2>Ledger</h2>
        {p.ledger === null ? (
          <p class="note">The ledger needs the billing:manage scope (owners and admins).</p>
        ) : p.ledger.length === 0 ? (
          <p class="note">No entries yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {p.ledger.map((l) => (
                <tr>
                  <td>{l.at.slice(0, 16).replace("T", " ")}</td>
                  <td>
                    <span class="badge">{l.kind}</span> {l.description}
                  </td>
                  <td>{money(l.amountCents, b.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
