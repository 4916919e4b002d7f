import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { callRecords, usageDaily, usageEvents } from "../../src/db/schema";
import { rollupStatements } from "../../src/usage/rollups";
import { summarize } from "../../src/usage/summary";
import { resolveWindow } from "../../src/usage/window";
import { runBatch } from "../../src/db/batch";
import type { UsageMessage } from "../../src/usage/messages";
import { addMember, call, createPat, createUser, db, expectProblem, tenant, waitFor } from "../harness";
import { deliver } from "../provisioning/helpers";

const summary = (token: string, query = "") => call("GET", `/admin/usage/summary${query}`, { token });
const today = () => new Date().toISOString().slice(0, 10);

describe("usage metering", () => {
  it("an ended call shows in the summary within seconds (through the DO outbox and the usage queue)", async () => {
    const { key } = await tenant();
    const started = await call("POST", "/admin/calls", {
      token: key,
      body: { channel: "voice", direction: "inbound" },
    });
    // Long enough to meter at least 0.01 minute (300 ms rounds up to it).
    await new Promise((r) => setTimeout(r, 650));
    const ended = (await call("POST", `/admin/calls/${started.json.id}/end`, { token: key })).json;
    const durationMs = Date.parse(ended.ended_at) - Date.parse(ended.started_at);
    const s = await waitFor(async () => {
      const r = await summary(key);
      return r.json.voice_calls === 1 ? r.json : undefined;
    });
    expect(s).toMatchObject({ voice_calls: 1, total_calls: 1, inbound_calls: 1, outbound_calls: 0, chat_calls: 0 });
    expect(s.voice_minutes).toBeGreaterThan(0);
    expect(s.voice_minutes).toBe(Math.round(durationMs / 600) / 100);
    expect(s.average_duration_seconds).toBeGreaterThan(0);
    expect(s.average_duration_seconds).toBe(ended.duration_seconds);
    expect(s.daily.find((d: { date: string }) => d.date === today())).toMatchObject({ voice_calls: 1 });
  });

  it("reported chat and workflow events are counted once per key", async () => {
    const { key } = await tenant();
    const events = [
      { key: "chat-1", kind: "chat", duration_seconds: 120, direction: "inbound" },
      { key: "chat-2", kind: "chat", duration_seconds: 60, direction: "outbound" },
      { key: "wf-1", kind: "workflow_run", outcome: "success" },
      { key: "wf-2", kind: "workflow_run", outcome: "failed" },
    ];
    expect((await call("POST", "/admin/usage/events", { token: key, body: { events } })).json).toEqual({ accepted: 4 });
    expect(
      (await call("POST", "/admin/usage/events", { token: key, body: { events: events.slice(0, 3) } })).status,
    ).toBe(202);
    const s = await waitFor(async () => {
      const r = await summary(key);
      return r.json.workflow_runs_total === 2 ? r.json : undefined;
    });
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await summary(key)).json;
    expect(again).toEqual({ ...s, to: again.to });
    expect(s).toMatchObject({
      chat_calls: 2,
      chat_minutes: 3,
      inbound_calls: 1,
      outbound_calls: 1,
      total_calls: 2,
      average_duration_seconds: 90,
      workflow_runs_total: 2,
      workflow_runs_success: 1,
      workflow_runs_failed: 1,
      voice_calls: 0,
    });
  });

  it("the same queue batch delivered twice changes nothing", async () => {
    const { org } = await tenant();
    const now = Date.now();
    const msg: UsageMessage = {
      type: "calls_ended",
      orgId: org.id,
      calls: [
        {
          id: "call_dup1",
          channel: "voice",
          direction: "outbound",
          agentId: null,
          startedAt: now - 90_000,
          endedAt: now,
          endReason: "completed",
        },
      ],
    };
    const events: UsageMessage = {
      type: "events",
      orgId: org.id,
      events: [{ key: "wf", kind: "workflow_run", occurredAt: now, outcome: "success" }],
    };
    expect((await deliver("usage", [msg, events])).ackAll).toBe(true);
    const read = async () => (await db().select().from(usageDaily).where(eq(usageDaily.orgId, org.id)))[0];
    const first = await read();
    expect(first).toMatchObject({ voiceCalls: 1, voiceMs: 90_000, outboundCalls: 1, workflowRunsTotal: 1 });
    await deliver("usage", [msg, events]);
    await deliver("usage", [msg]);
    expect(await read()).toEqual(first);
    expect(await db().select().from(callRecords).where(eq(callRecords.orgId, org.id))).toHaveLength(1);
  });

  it("large batches are split into multi-row inserts within D1's bound-parameter limit", async () => {
    const { org } = await tenant();
    const now = Date.now();
    const calls = Array.from({ length: 100 }, (_, i) => ({
      id: `call_big${i}`,
      channel: "voice" as const,
      direction: "inbound" as const,
      agentId: null,
      startedAt: now - 60_000,
      endedAt: now,
      endReason: "completed" as const,
    }));
    const r = await deliver("usage", [
      { type: "calls_ended", orgId: org.id, calls },
      {
        type: "events",
        orgId: org.id,
        events: Array.from({ length: 100 }, (_, i) => ({
          key: `w${i}`,
          kind: "workflow_run" as const,
          occurredAt: now,
          outcome: "success" as const,
        })),
      },
    ]);
    expect(r.ackAll).toBe(true);
    const row = (await db().select().from(usageDaily).where(eq(usageDaily.orgId, org.id)))[0];
    expect(row).toMatchObject({ voiceCalls: 100, voiceMs: 6_000_000, workflowRunsTotal: 100 });
    expect(await db().select().from(usageEvents).where(eq(usageEvents.orgId, org.id))).toHaveLength(200);
  });

  it("a message for a deleted org is retried alone; the rest of the batch is recorded", async () => {
    const { org } = await tenant();
    const now = Date.now();
    const good: UsageMessage = {
      type: "events",
      orgId: org.id,
      events: [{ key: "ok", kind: "workflow_run", occurredAt: now, outcome: "failed" }],
    };
    const orphan: UsageMessage = {
      type: "events",
      orgId: "org_gone",
      events: [{ key: "x", kind: "workflow_run", occurredAt: now, outcome: "failed" }],
    };
    const r = await deliver("usage", [good, orphan]);
    expect(r.explicitAcks).toHaveLength(1);
    expect(r.retryMessages).toHaveLength(1);
    expect((await db().select().from(usageDaily).where(eq(usageDaily.orgId, org.id)))[0]).toMatchObject({
      workflowRunsFailed: 1,
    });
  });

  it("rollupStatements counts every event exactly once however often it runs", async () => {
    const { org } = await tenant();
    const ev = {
      orgId: org.id,
      eventKey: "k1",
      kind: "chat" as const,
      direction: "inbound" as const,
      outcome: null,
      durationMs: 30_000,
      occurredAt: Date.now(),
      day: today(),
    };
    await runBatch(db(), rollupStatements(db(), [ev]));
    await runBatch(db(), rollupStatements(db(), [ev, { ...ev, eventKey: "k2" }]));
    expect((await db().select().from(usageDaily).where(eq(usageDaily.orgId, org.id)))[0]).toMatchObject({
      chatCalls: 2,
      chatMs: 60_000,
    });
  });

  it("event batches above 100 and malformed events are refused", async () => {
    const { key } = await tenant();
    const many = Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, kind: "workflow_run", outcome: "success" }));
    expectProblem(
      await call("POST", "/admin/usage/events", { token: key, body: { events: many } }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", "/admin/usage/events", { token: key, body: { events: [] } }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", "/admin/usage/events", { token: key, body: { events: [{ key: "a", kind: "voice" }] } }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", "/admin/usage/events", { token: key, body: { events: [{ key: "a", kind: "workflow_run" }] } }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", "/admin/usage/events", {
        token: key,
        body: { events: [{ key: "a", kind: "chat", duration_seconds: -1 }] },
      }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", "/admin/usage/events", {
        token: key,
        body: { events: [{ key: "a", kind: "workflow_run", outcome: "success", occurred_at: "yesterday" }] },
      }),
      400,
      "validation_failed",
    );
  });

  it("an event's occurred_at must lie in the last 35 days to 5 minutes ahead; one outside refuses the batch", async () => {
    const { key, org } = await tenant();
    const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
    const wf = (k: string, occurred_at: string) => ({ key: k, kind: "workflow_run", outcome: "success", occurred_at });
    const post = (events: unknown[]) => call("POST", "/admin/usage/events", { token: key, body: { events } });
    for (const occurred_at of [
      "2000-01-01T00:00:00Z",
      "2099-01-01T00:00:00Z",
      at(-36 * 86_400_000),
      at(6 * 60_000),
      "1970-01-01T00:00:00Z",
    ]) {
      const res = await post([wf("fine", at(0)), wf("bad", occurred_at)]);
      expectProblem(res, 400, "validation_failed");
      expect(res.json.errors).toEqual([{ field: "events.1.occurred_at", message: expect.stringMatching(/35 days/) }]);
    }
    // Inside the window: a 34-day-old event, a day-old one, one 4 minutes ahead.
    const ok = await post([wf("a", at(-34 * 86_400_000)), wf("b", at(-86_400_000)), wf("c", at(4 * 60_000))]);
    expect(ok.status).toBe(202);
    await waitFor(async () => {
      const rows = await db().select().from(usageEvents).where(eq(usageEvents.orgId, org.id));
      return rows.length === 3 ? rows : undefined;
    });
    // Nothing of the refused batches was counted.
    const keys = (await db().select().from(usageEvents).where(eq(usageEvents.orgId, org.id))).map((r) => r.eventKey);
    expect(keys.sort()).toEqual(["ext:a", "ext:b", "ext:c"]);
    const doc = (await call("GET", "/openapi.json")).json;
    expect(doc.paths["/admin/usage/events"].post.description).toMatch(/35 days.*5 minutes/);
  });

  it("window validation: to after from, at most 366 days, ISO 8601; default month-to-date UTC", async () => {
    const { key } = await tenant();
    expectProblem(await summary(key, "?from=2026-03-01&to=2026-02-01"), 400, "validation_failed");
    expectProblem(await summary(key, "?from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z"), 400, "validation_failed");
    expectProblem(await summary(key, "?from=2024-01-01&to=2025-01-02"), 400, "validation_failed");
    expectProblem(await summary(key, "?from=last-week"), 400, "validation_failed");
    expectProblem(await summary(key, "?from=2026-02-30T25:00:00Z&to=2026-03-01"), 400, "validation_failed");
    const ok = await summary(key, "?from=2025-01-01&to=2026-01-01T00:00:00Z");
    expect(ok.status).toBe(200);
    expect(ok.json.daily).toHaveLength(365);
    expect(ok.json.daily[0].date).toBe("2025-01-01");
    expect(ok.json.daily.at(-1).date).toBe("2025-12-31");

    const def = (await summary(key)).json;
    const now = new Date();
    expect(def.from).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString());
    expect(def.daily.at(-1).date).toBe(today());
    expect(def.inventory).toEqual({ agents: 0, phone_numbers: 0, web_widgets: 0, knowledge_bases: 0 });
  });

  it("a day the calendar does not have is refused (400), not rolled over into March", async () => {
    const { key } = await tenant();
    expectProblem(await summary(key, "?from=2026-02-30&to=2026-03-05"), 400, "validation_failed");
    const res = await summary(key, "?from=2026-02-01&to=2026-02-29T00:00:00Z");
    expectProblem(res, 400, "validation_failed");
    expect(res.json.errors).toEqual([{ field: "to", message: expect.any(String) }]);
    expectProblem(await summary(key, "?from=2026-04-31T00:00:00Z&to=2026-05-02"), 400, "validation_failed");
    const leap = await summary(key, "?from=2024-02-29&to=2024-03-01");
    expect(leap.status).toBe(200);
    expect(leap.json.daily.map((d: { date: string }) => d.date)).toEqual(["2024-02-29"]);
  });

  it("resolveWindow treats offsets and date-only values as UTC instants", () => {
    const w = resolveWindow({ from: "2026-01-10T00:00:00+02:00", to: "2026-01-11" });
    expect(new Date(w.from).toISOString()).toBe("2026-01-09T22:00:00.000Z");
    expect([w.fromDay, w.toDay]).toEqual(["2026-01-09", "2026-01-10"]);
    expect(resolveWindow({}, Date.UTC(2026, 2, 1)).fromDay).toBe("2026-02-01");
  });

  it("summarize adds up rows of many orgs per day (for subtree summaries)", () => {
    const row = (orgId: string, day: string, voiceCalls: number) => ({
      orgId,
      day,
      voiceCalls,
      voiceMs: voiceCalls * 60_000,
      chatCalls: 0,
      chatMs: 0,
      inboundCalls: voiceCalls,
      outboundCalls: 0,
      workflowRunsTotal: 0,
      workflowRunsSuccess: 0,
      workflowRunsFailed: 0,
    });
    const s = summarize([row("a", "2026-01-02", 1), row("b", "2026-01-02", 2), row("b", "2026-01-03", 1)], {
      fromDay: "2026-01-01",
      toDay: "2026-01-03",
    });
    expect(s.totals).toMatchObject({ voice_calls: 4, voice_minutes: 4, total_calls: 4, average_duration_seconds: 60 });
    expect(s.daily.map((d) => [d.date, d.voice_calls])).toEqual([
      ["2026-01-01", 0],
      ["2026-01-02", 3],
      ["2026-01-03", 1],
    ]);
  });

  it("the summary needs billing:manage; reporting events needs conversations:manage", async () => {
    const { org } = await tenant();
    const member = await createUser();
    await addMember(org, member, ["member"]);
    const pat = await createPat(member);
    expectProblem(await call("GET", "/admin/usage/summary", { token: pat, org: org.id }), 403, "insufficient_scope");
    const viewer = await createUser();
    await addMember(org, viewer, ["viewer"]);
    const vpat = await createPat(viewer);
    expectProblem(
      await call("POST", "/admin/usage/events", {
        token: vpat,
        org: org.id,
        body: { events: [{ key: "a", kind: "workflow_run", outcome: "success" }] },
      }),
      403,
      "insufficient_scope",
    );
    expect(
      (
        await call("POST", "/admin/usage/events", {
          token: pat,
          org: org.id,
          body: { events: [{ key: "a", kind: "workflow_run", outcome: "success" }] },
        })
      ).status,
    ).toBe(202);
  });
});
