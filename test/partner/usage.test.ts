import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import type { BatchItem } from "drizzle-orm/batch";
import type { UsageEventRow } from "../../src/db/schema";
import { rollupStatements } from "../../src/usage/rollups";
import { orgLifecycle } from "../../src/app";
import { deleteOrganization } from "../../src/orgs/deletion";
import { call, createOrg, db, expectProblem, uniq } from "../harness";
import { partnerTree, type Tree } from "./fixtures";

const U = "/admin/partner-console/usage-summary";
type Day = { date: string; total_calls: number };
const OCT = "from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z";

/**
 * Meters calls the way the usage consumer does (issue 4's rollupStatements: events folded
 * into usage_daily by an incrementing upsert); durations in seconds, voice inbound, chat outbound.
 */
async function record(
  orgId: string,
  day: string,
  voice: number[],
  chat: number[] = [],
  workflows: ("success" | "failed")[] = [],
) {
  const at = Date.parse(`${day}T12:00:00Z`);
  const events: UsageEventRow[] = [
    ...voice.map((s) => ({
      orgId,
      eventKey: uniq("v"),
      kind: "voice" as const,
      direction: "inbound" as const,
      durationMs: s * 1000,
      occurredAt: at,
      day,
    })),
    ...chat.map((s) => ({
      orgId,
      eventKey: uniq("c"),
      kind: "chat" as const,
      direction: "outbound" as const,
      durationMs: s * 1000,
      occurredAt: at,
      day,
    })),
    ...workflows.map((outcome) => ({
      orgId,
      eventKey: uniq("w"),
      kind: "workflow_run" as const,
      outcome,
      occurredAt: at,
      day,
    })),
  ];
  const d = db();
  await d.batch(rollupStatements(d, events) as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

let t: Tree;
beforeAll(async () => {
  t = await partnerTree();
  await record(t.agency.org.id, "2026-10-01", [60]);
  await record(t.childA.id, "2026-10-01", [60, 60], [30]);
  await record(t.a1.id, "2026-10-02", [100, 100, 100], [], ["success", "failed"]);
  await record(t.a1xy.id, "2026-10-02", [60, 60, 60, 60]);
  await record(t.a1xy.id, "2026-10-02", [60]); // a later call the same day
  await record(t.b1.id, "2026-10-03", [120, 120, 120, 120, 120], [45, 45]);
  await record(t.a2.id, "2026-11-01", [100, 100, 100, 100, 100, 100, 100]); // outside October
  await record(t.stranger.org.id, "2026-10-01", [100, 100, 100, 100, 100, 100, 100, 100, 100]); // another tenant
});

describe("GET /admin/partner-console/usage-summary", () => {
  it("scope=all (the default) sums the caller's org and every descendant: hand-computed", async () => {
    const res = await call("GET", `${U}?${OCT}`, { token: t.agency.key });
    expect(res.status).toBe(200);
    // voice: 1+2+3+4+1+5 = 16 calls, 60+120+300+240+60+600 = 1380 s; chat: 1+2 = 3 calls, 30+90 = 120 s
    expect(res.json).toMatchObject({
      scope: "all",
      org_id: t.agency.org.id,
      from: "2026-10-01T00:00:00.000Z",
      to: "2026-11-01T00:00:00.000Z",
    });
    expect(res.json).toMatchObject({
      voice_calls: 16,
      voice_minutes: 23,
      chat_calls: 3,
      chat_minutes: 2,
      total_calls: 19,
      inbound_calls: 16,
      outbound_calls: 3,
      average_duration_seconds: 78.95, // 1500 s / 19 calls
      workflow_runs_total: 2,
      workflow_runs_success: 1,
      workflow_runs_failed: 1,
    });
    expect(res.json.daily).toHaveLength(31);
    expect(res.json.daily.filter((d: Day) => d.total_calls > 0).map((d: Day) => [d.date, d.total_calls])).toEqual([
      ["2026-10-01", 4],
      ["2026-10-02", 8],
      ["2026-10-03", 7],
    ]);
  });

  it("scope=all from a child's key covers that child's subtree only", async () => {
    const res = await call("GET", `${U}?${OCT}&scope=all`, { token: t.childAKey });
    // childA 2+1 calls, a1 3, a1xy 5 → 11 calls; 120+30+300+300 = 750 s
    expect(res.json.org_id).toBe(t.childA.id);
    expect(res.json).toMatchObject({
      voice_calls: 10,
      chat_calls: 1,
      total_calls: 11,
      voice_minutes: 12,
      chat_minutes: 0.5,
      workflow_runs_total: 2,
    });
  });

  it("scope=single is that org's own usage, excluding its descendants", async () => {
    const res = await call("GET", `${U}?${OCT}&scope=single&org_id=${t.childA.id}`, { token: t.agency.key });
    expect(res.json).toMatchObject({ scope: "single", org_id: t.childA.id });
    expect(res.json).toMatchObject({ voice_calls: 2, chat_calls: 1, total_calls: 3, workflow_runs_total: 0 });
  });

  it("reads the window at day granularity: `to` is exclusive", async () => {
    const res = await call("GET", `${U}?from=2026-10-02&to=2026-10-03`, { token: t.agency.key });
    expect(res.json.daily.map((d: Day) => d.date)).toEqual(["2026-10-02"]);
    const partial = await call("GET", `${U}?from=2026-10-02T12:00:00Z&to=2026-10-03T00:00:01Z`, {
      token: t.agency.key,
    });
    expect(partial.json.daily.map((d: Day) => d.date)).toEqual(["2026-10-02", "2026-10-03"]);
  });

  it("stays exact as rollups change, children appear and leaves are deleted", async () => {
    const before = (await call("GET", `${U}?${OCT}`, { token: t.agency.key })).json.voice_calls;
    const late = await createOrg(t.agency.owner, { parentId: t.b1.id, slug: uniq("late-") });
    await record(late.id, "2026-10-05", [10, 10, 10, 10, 10, 10]);
    await record(t.a1xy.id, "2026-10-02", [10, 10]);
    expect((await call("GET", `${U}?${OCT}`, { token: t.agency.key })).json.voice_calls).toBe(before + 8);
    await env.DB.prepare("DELETE FROM usage_daily WHERE org_id = ? AND day = ?").bind(t.a1xy.id, "2026-10-02").run();
    expect((await call("GET", `${U}?${OCT}`, { token: t.agency.key })).json.voice_calls).toBe(before + 8 - 7);
    // The product's deletion batch (issues 3 and 4), with this org's rollups in it.
    await deleteOrganization(db(), orgLifecycle, late, {
      kind: "system",
      userId: null,
      credentialId: null,
      requestId: null,
    });
    expect((await call("GET", `${U}?${OCT}`, { token: t.agency.key })).json.voice_calls).toBe(before - 5);
    // Every subtree total equals the sum of its members' own rollups.
    const drift = await env.DB.prepare(
      `SELECT s.org_id, s.day, s.voice_calls AS agg,
              (SELECT coalesce(sum(u.voice_calls), 0) FROM usage_daily u JOIN org_tree d ON d.org_id = u.org_id
               WHERE u.day = s.day AND d.path >= a.path AND d.path < substr(a.path, 1, length(a.path) - 1) || '0') AS truth
       FROM usage_subtree_daily s JOIN org_tree a ON a.org_id = s.org_id WHERE agg <> truth`,
    ).all();
    expect(drift.results).toEqual([]);
  });

  it.each([
    ["from and to missing", ""],
    ["to missing", "from=2026-10-01T00:00:00Z"],
    ["from not ISO 8601", "from=yesterday&to=2026-10-02T00:00:00Z"],
    ["an impossible month", "from=2026-13-01&to=2026-12-02"],
    ["a day that does not exist", "from=2026-02-30T00:00:00Z&to=2026-03-05T00:00:00Z"],
    ["a date-only day that does not exist", "from=2026-02-30&to=2026-03-05"],
    ["a 29 February outside a leap year", "from=2026-02-01&to=2026-02-29T00:00:00Z"],
    ["the 31st of a 30-day month", "from=2026-04-31T00:00:00Z&to=2026-05-02T00:00:00Z"],
    ["to equal to from", "from=2026-10-01T00:00:00Z&to=2026-10-01T00:00:00Z"],
    ["to before from", "from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z"],
    ["a window over 366 days", "from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:01Z"],
    ["scope=single without org_id", `${OCT}&scope=single`],
    ["an unknown scope", `${OCT}&scope=everything`],
  ])("refuses %s (400 problem+json)", async (_name, qs) => {
    expectProblem(await call("GET", `${U}?${qs}`, { token: t.agency.key }), 400, "validation_failed");
  });

  it("accepts a leap day", async () => {
    const res = await call("GET", `${U}?from=2024-02-29&to=2024-03-01`, { token: t.agency.key });
    expect(res.status).toBe(200);
    expect(res.json.daily.map((d: Day) => d.date)).toEqual(["2024-02-29"]);
  });

  it("accepts exactly 366 days", async () => {
    const res = await call("GET", `${U}?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`, { token: t.agency.key });
    expect(res.status).toBe(200);
  });
});
