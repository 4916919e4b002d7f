import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { concurrencyOf, setConcurrencyLimit } from "../../src/calls/client";
import { addMember, call, createPat, createUser, db, expectProblem, tenant } from "../harness";

const voiceOut = { channel: "voice", direction: "outbound" };

describe("calls", () => {
  it("start → 201 with the call id and lease expiry; heartbeat extends; end releases", async () => {
    const { key } = await tenant();
    const started = await call("POST", "/admin/calls", { token: key, body: voiceOut });
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({
      id: expect.stringMatching(/^call_/),
      status: "active",
      channel: "voice",
      direction: "outbound",
      agent_id: null,
    });
    const expiry = Date.parse(started.json.lease_expires_at);
    expect(expiry).toBeGreaterThan(Date.now());

    expect((await call("GET", "/admin/concurrency", { token: key })).json).toEqual({ active: 1, limit: 1 });
    await new Promise((r) => setTimeout(r, 5));
    const hb = await call("POST", `/admin/calls/${started.json.id}/heartbeat`, { token: key });
    expect(hb.status).toBe(200);
    expect(Date.parse(hb.json.lease_expires_at)).toBeGreaterThan(expiry);

    const ended = await call("POST", `/admin/calls/${started.json.id}/end`, { token: key });
    expect(ended.status).toBe(200);
    expect(ended.json).toMatchObject({
      id: started.json.id,
      status: "ended",
      end_reason: "completed",
      duration_seconds: expect.any(Number),
    });
    expect((await call("GET", "/admin/concurrency", { token: key })).json).toEqual({ active: 0, limit: 1 });
  });

  it("at the limit: 429 concurrency_limit_reached with Retry-After", async () => {
    const { key } = await tenant();
    expect((await call("POST", "/admin/calls", { token: key, body: voiceOut })).status).toBe(201);
    const refused = await call("POST", "/admin/calls", { token: key, body: { channel: "chat", direction: "inbound" } });
    expectProblem(refused, 429, "concurrency_limit_reached");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  });

  it("parallel starts over HTTP: exactly `limit` succeed, the rest get 429", async () => {
    const { org, key } = await tenant();
    await setConcurrencyLimit(env, db(), org.id, 4);
    const results = await Promise.all(
      Array.from({ length: 25 }, () => call("POST", "/admin/calls", { token: key, body: voiceOut })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(4);
    expect(results.filter((r) => r.status === 429)).toHaveLength(21);
    expect((await call("GET", "/admin/concurrency", { token: key })).json).toEqual({ active: 4, limit: 4 });
  });

  it("ending or heartbeating an unknown, ended or malformed call is refused", async () => {
    const { key } = await tenant();
    const started = await call("POST", "/admin/calls", { token: key, body: voiceOut });
    await call("POST", `/admin/calls/${started.json.id}/end`, { token: key });
    expectProblem(await call("POST", `/admin/calls/${started.json.id}/end`, { token: key }), 404, "not_found");
    expectProblem(await call("POST", `/admin/calls/${started.json.id}/heartbeat`, { token: key }), 404, "not_found");
    expectProblem(await call("POST", "/admin/calls/call_doesnotexist/end", { token: key }), 404, "not_found");
    expectProblem(await call("POST", "/admin/calls/DROP%20TABLE/end", { token: key }), 400, "validation_failed");
  });

  it("a heartbeat after the lease expired is a 409 lease_expired; ending it records it as expired", async () => {
    const { org, key } = await tenant();
    const started = await call("POST", "/admin/calls", { token: key, body: voiceOut });
    await runInDurableObject(concurrencyOf(env, org.id), (_o, state) => {
      state.storage.sql.exec("UPDATE leases SET expires_at = ? WHERE call_id = ?", Date.now() - 1, started.json.id);
    });
    expectProblem(
      await call("POST", `/admin/calls/${started.json.id}/heartbeat`, { token: key }),
      409,
      "lease_expired",
    );
    expect((await call("GET", "/admin/concurrency", { token: key })).json.active).toBe(0);
    const ended = await call("POST", `/admin/calls/${started.json.id}/end`, { token: key });
    expect(ended.json).toMatchObject({ status: "ended", end_reason: "lease_expired" });
  });

  it("bad input is a 400 naming the field", async () => {
    const { key } = await tenant();
    const bad = await call("POST", "/admin/calls", { token: key, body: { channel: "fax", direction: "outbound" } });
    expectProblem(bad, 400, "validation_failed");
    expect(bad.json.errors[0].field).toBe("channel");
    expectProblem(
      await call("POST", "/admin/calls", { token: key, body: { channel: "voice" } }),
      400,
      "validation_failed",
    );
    expectProblem(
      await call("POST", "/admin/calls", { token: key, body: { ...voiceOut, org_id: "x" } }),
      400,
      "validation_failed",
    );
    expectProblem(await call("POST", "/admin/calls", { token: key, rawBody: "{" }), 400, "malformed_json");
  });

  it("agent_id must be an agent of this org", async () => {
    const a = await tenant();
    const b = await tenant();
    const agentA = await call("POST", "/admin/agents", { token: a.key, body: { name: "Receptionist" } });
    expectProblem(
      await call("POST", "/admin/calls", { token: b.key, body: { ...voiceOut, agent_id: agentA.json.id } }),
      404,
      "not_found",
    );
    const ok = await call("POST", "/admin/calls", { token: a.key, body: { ...voiceOut, agent_id: agentA.json.id } });
    expect(ok.status).toBe(201);
    expect(ok.json.agent_id).toBe(agentA.json.id);
  });

  it("starting calls needs conversations:dial; a viewer may read concurrency but not dial", async () => {
    const { org } = await tenant();
    const viewer = await createUser();
    await addMember(org, viewer, ["viewer"]);
    const pat = await createPat(viewer);
    expectProblem(
      await call("POST", "/admin/calls", { token: pat, org: org.id, body: voiceOut }),
      403,
      "insufficient_scope",
    );
    expect((await call("GET", "/admin/concurrency", { token: pat, org: org.id })).status).toBe(200);

    const member = await createUser();
    await addMember(org, member, ["member"]);
    const memberPat = await createPat(member);
    expect((await call("POST", "/admin/calls", { token: memberPat, org: org.id, body: voiceOut })).status).toBe(201);
    expectProblem(await call("POST", "/admin/calls", { body: voiceOut }), 401, "unauthenticated");
  });

  it("lowering the limit below the running calls keeps them running", async () => {
    const { org, key } = await tenant();
    await setConcurrencyLimit(env, db(), org.id, 2);
    const a = await call("POST", "/admin/calls", { token: key, body: voiceOut });
    const b = await call("POST", "/admin/calls", { token: key, body: voiceOut });
    await setConcurrencyLimit(env, db(), org.id, 1);
    expect((await call("GET", "/admin/concurrency", { token: key })).json).toEqual({ active: 2, limit: 1 });
    expect((await call("POST", `/admin/calls/${a.json.id}/heartbeat`, { token: key })).status).toBe(200);
    expectProblem(await call("POST", "/admin/calls", { token: key, body: voiceOut }), 429, "concurrency_limit_reached");
    expect((await call("POST", `/admin/calls/${b.json.id}/end`, { token: key })).status).toBe(200);
    expect((await call("POST", `/admin/calls/${a.json.id}/end`, { token: key })).status).toBe(200);
    expect((await call("POST", "/admin/calls", { token: key, body: voiceOut })).status).toBe(201);
  });
});
