import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { concurrencyOf } from "../../src/calls/client";
import { syncPayers } from "../../src/billing/sync";
import { accountOf } from "../../src/billing/ledger";
import { chargeCents, syncPayersOf } from "../../src/billing/charges";
import { PLANS } from "../../src/billing/plans";
import type { UsageMessage } from "../../src/usage/messages";
import { call, createOrg, db, onPlan, tenant, uniq, waitFor, usageChargesOf } from "../harness";
import { deliver } from "../provisioning/helpers";
import { endedCall } from "../usage/messages";

describe("metered charges", () => {
  it("an ended call is charged per started minute at the payer's rate, once however often it is delivered", async () => {
    const { org } = await tenant();
    await onPlan(org.id, "smb", { balanceCents: 1_000 });
    const callId = `call_${uniq("c").replace(/[^a-z0-9]/g, "")}`;
    const msg = endedCall(org.id, callId, 61_000);
    const events: UsageMessage = {
      type: "events",
      orgId: org.id,
      events: [
        { key: "chat-a", kind: "chat", occurredAt: Date.now(), durationMs: 30_000, direction: "inbound" },
        { key: "wf-a", kind: "workflow_run", occurredAt: Date.now(), outcome: "success" },
      ],
    };
    expect((await deliver("usage", [msg, events])).ackAll).toBe(true);
    await deliver("usage", [msg, events]);
    await deliver("usage", [msg]);
    const rows = await usageChargesOf(org.id);
    expect(rows).toHaveLength(2);
    const voice = rows.find((r) => r.usageEventKey === `call:${callId}`);
    expect(voice).toMatchObject({
      amountCents: -2 * PLANS.smb.rates.voiceCentsPerMinute,
      reference: `usage:${org.id}:call:${callId}`,
      sourceOrgId: org.id,
    });
    const chat = rows.find((r) => r.usageEventKey === "ext:chat-a");
    expect(chat?.amountCents).toBe(-chargeCents("smb", "chat", 30_000));
    const account = await accountOf(db(), org.id);
    expect(account?.balanceCents).toBe(
      1_000 - 2 * PLANS.smb.rates.voiceCentsPerMinute - PLANS.smb.rates.chatCentsPerMinute,
    );
    expect(voice?.balanceAfterCents).not.toBeNull();
  });

  it("a child billed to its agency is charged to the agency at the agency's rates, naming the child", async () => {
    const agency = await tenant();
    await onPlan(agency.org.id, "agency", { balanceCents: 5_000 });
    const child = await createOrg(agency.owner, { parentId: agency.org.id });
    const grandchild = await createOrg(agency.owner, { parentId: child.id });
    await deliver("usage", [endedCall(child.id, "call_childone", 120_000), endedCall(grandchild.id, "call_gcone", 1)]);
    const rows = await usageChargesOf(agency.org.id);
    expect(rows.map((r) => [r.sourceOrgId, r.amountCents]).sort()).toEqual(
      [
        [child.id, -2 * PLANS.agency.rates.voiceCentsPerMinute],
        [grandchild.id, -PLANS.agency.rates.voiceCentsPerMinute],
      ].sort(),
    );
    expect(await usageChargesOf(child.id)).toHaveLength(0);
    expect((await accountOf(db(), agency.org.id))?.balanceCents).toBe(
      5_000 - 3 * PLANS.agency.rates.voiceCentsPerMinute,
    );
  });

  it("a zero-length call starts no minute and books nothing", async () => {
    const { org } = await tenant();
    await deliver("usage", [endedCall(org.id, "call_zerolen", 0)]);
    expect(await usageChargesOf(org.id)).toHaveLength(0);
  });

  it("enterprise usage is booked too (invoiced), driving the balance below zero", async () => {
    const { org } = await tenant();
    await onPlan(org.id, "enterprise", { balanceCents: 0 });
    await deliver("usage", [endedCall(org.id, "call_entone", 600_000)]);
    expect((await accountOf(db(), org.id))?.balanceCents).toBe(-10 * PLANS.enterprise.rates.voiceCentsPerMinute);
  });

  it("a call placed through the API is charged as its usage reaches D1, and the balance reaches the DO", async () => {
    const { org, key } = await tenant();
    // One started minute of voice on smb leaves exactly nothing: the next call is refused.
    await onPlan(org.id, "smb", { balanceCents: PLANS.smb.rates.voiceCentsPerMinute });
    const started = await call("POST", "/admin/calls", {
      token: key,
      body: { channel: "voice", direction: "inbound" },
    });
    expect(started.status).toBe(201);
    await call("POST", `/admin/calls/${started.json.id}/end`, { token: key });
    const entry = await waitFor(async () => (await usageChargesOf(org.id))[0]);
    expect(entry).toMatchObject({ usageEventKey: `call:${started.json.id}`, balanceAfterCents: 0 });
    const refused = await waitFor(async () => {
      const r = await call("POST", "/admin/calls", { token: key, body: { channel: "voice", direction: "inbound" } });
      return r.status === 402 ? r : undefined;
    });
    expect(refused.json.code).toBe("insufficient_balance");
  });
});

describe("syncing many at once", () => {
  it("more payers and orgs than D1 binds parameters: one read each, every org pushed", async () => {
    const agency = await tenant();
    const children = [];
    for (let i = 0; i < 105; i++) children.push(await createOrg(agency.owner, { parentId: agency.org.id }));
    await onPlan(agency.org.id, "smb", { balanceCents: 100 });
    const fakes = Array.from({ length: 105 }, (_, i) => `org_nosuch${i}`);
    await env.DB.prepare("UPDATE billing_accounts SET plan = 'agency' WHERE org_id = ?").bind(agency.org.id).run();
    await syncPayers(env, db(), [...fakes, agency.org.id]);
    const rows = await env.DB.prepare(
      "SELECT count(*) AS n FROM organizations WHERE parent_id = ? AND plan = 'agency' AND concurrency_limit = 20",
    )
      .bind(agency.org.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(105);
    const last = children.at(-1);
    expect(last && (await concurrencyOf(env, last.id).getStatus()).limit).toBe(20);
  });
});

describe("which payers a charge batch pushes", () => {
  it("only prepaid payers at or below zero (a charge only lowers a balance: above zero nothing changes)", async () => {
    const agency = await tenant();
    const child = await createOrg(agency.owner, { parentId: agency.org.id });
    const ent = await tenant();
    await onPlan(agency.org.id, "agency", { balanceCents: 1 });
    await onPlan(ent.org.id, "enterprise", { balanceCents: -5 });
    expect(await syncPayersOf(env, db(), [child.id, ent.org.id])).toEqual([]);
    await onPlan(agency.org.id, "agency", { balanceCents: 0 });
    expect(await syncPayersOf(env, db(), [child.id, agency.org.id, ent.org.id])).toEqual([agency.org.id]);
  });
});
