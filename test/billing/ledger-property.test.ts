import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanId } from "../../src/db/schema";
import { accountOf, bookingStatement } from "../../src/billing/ledger";
import { chargeCents } from "../../src/billing/charges";
import { syncPayer } from "../../src/billing/sync";
import { createOrg, db, onPlan, tenant, uniq } from "../harness";
import { deliver } from "../provisioning/helpers";
import { endedCall } from "../usage/messages";

/**
 * Issue 10: no entry lost, none doubled. After any sequence of top-ups (references drawn from
 * a small pool, so some repeat), usage delivered through the consumer (call ids drawn from a
 * small pool, so some are redeliveries) and plan changes, every account's balance is the sum
 * of its entries, each reference is booked at most once, and every charged usage event has
 * exactly one entry — the amount a model of the same operations predicts.
 */
type Op =
  | { kind: "top_up"; org: number; ref: number; cents: number }
  | { kind: "usage"; org: number; call: number; durationMs: number; channel: "voice" | "chat" }
  | { kind: "plan"; org: number; plan: PlanId };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("top_up" as const),
    org: fc.nat(2),
    ref: fc.nat(3),
    cents: fc.integer({ min: 1, max: 5_000 }),
  }),
  fc.record({
    kind: fc.constant("usage" as const),
    org: fc.nat(2),
    call: fc.nat(4),
    durationMs: fc.integer({ min: 0, max: 400_000 }),
    channel: fc.constantFrom("voice" as const, "chat" as const),
  }),
  fc.record({
    kind: fc.constant("plan" as const),
    org: fc.constantFrom(0, 2),
    plan: fc.constantFrom<PlanId>("free", "smb", "agency", "enterprise"),
  }),
);

async function sumMismatches(): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT count(*) AS n FROM billing_accounts b
     WHERE b.balance_cents <> (SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries e WHERE e.org_id = b.org_id)`,
  ).first<{ n: number }>();
  return row?.n ?? -1;
}

describe("ledger property", () => {
  it("balance = sum of entries; each reference once; each charged event exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const run = uniq("p").replace(/[^a-z0-9]/g, "");
        // 0: an agency (pays its own way), 1: its child (billed to it), 2: an unrelated org.
        const agency = await tenant();
        const child = await createOrg(agency.owner, { parentId: agency.org.id });
        const solo = await tenant();
        const orgs = [agency.org.id, child.id, solo.org.id];
        const payerOf = (i: number) => (i === 1 ? 0 : i);
        const plan: PlanId[] = ["free", "free", "free"];
        const balance = await Promise.all(orgs.map(async (id) => (await accountOf(db(), id))?.balanceCents ?? 0));
        const refsBooked = new Set<string>();
        const charged = new Map<string, { payer: number; cents: number }>();
        const seen = new Set<string>();

        for (const o of ops) {
          if (o.kind === "top_up") {
            const reference = `prop:${run}:${o.org}:${o.ref}`;
            const payer = payerOf(o.org);
            await db().batch([
              bookingStatement(db(), {
                orgId: orgs[payer] as string,
                kind: "top_up",
                amountCents: o.cents,
                reference,
                description: "Top-up",
              }),
            ]);
            await syncPayer(env, db(), orgs[payer] as string);
            if (!refsBooked.has(reference)) {
              refsBooked.add(reference);
              balance[payer] = (balance[payer] as number) + o.cents;
            }
          } else if (o.kind === "usage") {
            const orgId = orgs[o.org] as string;
            const callId = `call_${run}x${o.call}`;
            expect((await deliver("usage", [endedCall(orgId, callId, o.durationMs, o.channel)])).ackAll).toBe(true);
            const key = `usage:${orgId}:call:${callId}`;
            if (!seen.has(key)) {
              seen.add(key);
              const payer = payerOf(o.org);
              const cents = chargeCents(plan[payer] as PlanId, o.channel, o.durationMs);
              if (cents > 0) {
                charged.set(key, { payer, cents });
                balance[payer] = (balance[payer] as number) - cents;
              }
            }
          } else {
            await onPlan(orgs[o.org] as string, o.plan);
            plan[o.org] = o.plan;
          }
        }

        expect(await sumMismatches()).toBe(0);
        for (const [i, id] of orgs.entries()) expect((await accountOf(db(), id))?.balanceCents).toBe(balance[i]);
        const entries = await env.DB.prepare(
          `SELECT org_id, reference, amount_cents, kind FROM ledger_entries
           WHERE org_id IN (SELECT value FROM json_each(?))`,
        )
          .bind(JSON.stringify(orgs))
          .all<{ org_id: string; reference: string; amount_cents: number; kind: string }>();
        const rows = entries.results;
        expect(new Set(rows.map((r) => r.reference)).size).toBe(rows.length);
        expect(rows.filter((r) => r.reference.startsWith(`prop:${run}:`)).length).toBe(refsBooked.size);
        const charges = rows.filter((r) => r.kind === "usage_charge");
        expect(charges).toHaveLength(charged.size);
        for (const [reference, c] of charged) {
          const found = charges.filter((r) => r.reference === reference);
          expect(found).toHaveLength(1);
          expect(found[0]).toMatchObject({ org_id: orgs[c.payer], amount_cents: -c.cents });
        }
      }),
      { numRuns: 25, seed: 20261201 },
    );
  }, 120_000);

  it("a top-up and a charge batch at the same time both land exactly once", async () => {
    const { org } = await tenant();
    await onPlan(org.id, "smb", { balanceCents: 100 });
    const reference = `race:${uniq("r")}`;
    const topUp = async () => {
      await db().batch([
        bookingStatement(db(), { orgId: org.id, kind: "top_up", amountCents: 1_000, reference, description: "Top-up" }),
      ]);
      await syncPayer(env, db(), org.id);
    };
    const msgs = [
      endedCall(org.id, "call_raceone", 90_000, "voice"),
      endedCall(org.id, "call_racetwo", 30_000, "chat"),
    ];
    await Promise.all([topUp(), deliver("usage", msgs), topUp(), deliver("usage", msgs)]);
    const expected = 100 + 1_000 - chargeCents("smb", "voice", 90_000) - chargeCents("smb", "chat", 30_000);
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(expected);
    expect(await sumMismatches()).toBe(0);
    const n = await env.DB.prepare(
      "SELECT count(*) AS n FROM ledger_entries WHERE org_id = ? AND kind IN ('top_up', 'usage_charge')",
    )
      .bind(org.id)
      .first<{ n: number }>();
    expect(n?.n).toBe(3);
  });
});
