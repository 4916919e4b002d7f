import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { agents, phoneNumberPool, phoneNumbers, usageDaily } from "../../src/db/schema";
import { deleteOrgResourcesStatements } from "../../src/resources/cleanup";
import { destroyOrgConcurrency, concurrencyOf } from "../../src/calls/client";
import { runBatch } from "../../src/db/batch";
import { addMember, call, createPat, createUser, db, expectProblem, tenant, waitFor } from "../harness";
import { deliver } from "../provisioning/helpers";

describe("org resources", () => {
  it("agents: create, read, list, update, delete", async () => {
    const { key } = await tenant();
    const created = await call("POST", "/admin/agents", {
      token: key,
      body: { name: "Front desk", description: "Answers calls" },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^agt_/), name: "Front desk", channel: "voice" });
    const id = created.json.id;
    expect((await call("GET", `/admin/agents/${id}`, { token: key })).json.name).toBe("Front desk");
    await call("POST", "/admin/agents", { token: key, body: { name: "Chat bot", channel: "chat" } });
    const page1 = await call("GET", "/admin/agents?limit=1", { token: key });
    expect(page1.json.data).toHaveLength(1);
    const page2 = await call("GET", `/admin/agents?limit=1&cursor=${page1.json.next_cursor}`, { token: key });
    expect(page2.json.data).toHaveLength(1);
    expect(page2.json.next_cursor).toBeNull();
    const patched = await call("PATCH", `/admin/agents/${id}`, { token: key, body: { name: "Reception" } });
    expect(patched.json).toMatchObject({ name: "Reception", description: "Answers calls" });
    expect((await call("DELETE", `/admin/agents/${id}`, { token: key })).status).toBe(204);
    expectProblem(await call("GET", `/admin/agents/${id}`, { token: key }), 404, "not_found");
    expectProblem(await call("DELETE", `/admin/agents/${id}`, { token: key }), 404, "not_found");
  });

  it("agents: bad input and missing scope are refused", async () => {
    const { key, org } = await tenant();
    expectProblem(await call("POST", "/admin/agents", { token: key, body: { name: "" } }), 400, "validation_failed");
    expectProblem(
      await call("POST", "/admin/agents", { token: key, body: { name: "x", channel: "sms" } }),
      400,
      "validation_failed",
    );
    expectProblem(await call("PATCH", "/admin/agents/agt_x", { token: key, body: {} }), 400, "validation_failed");
    const viewer = await createUser();
    await addMember(org, viewer, ["viewer"]);
    const pat = await createPat(viewer);
    expect((await call("GET", "/admin/agents", { token: pat, org: org.id })).status).toBe(200);
    expectProblem(
      await call("POST", "/admin/agents", { token: pat, org: org.id, body: { name: "x" } }),
      403,
      "insufficient_scope",
    );
  });

  it("knowledge bases: the default from provisioning, create, delete", async () => {
    const { key, org } = await tenant();
    await deliver("provisioning", [{ orgId: org.id }]);
    const list = await call("GET", "/admin/knowledge-bases", { token: key });
    expect(list.json.data).toMatchObject([{ name: "Default", is_default: true }]);
    const kb = await call("POST", "/admin/knowledge-bases", { token: key, body: { name: "FAQ" } });
    expect(kb.status).toBe(201);
    expect((await call("GET", "/admin/knowledge-bases", { token: key })).json.data).toHaveLength(2);
    expect((await call("DELETE", `/admin/knowledge-bases/${kb.json.id}`, { token: key })).status).toBe(204);
    expectProblem(await call("DELETE", `/admin/knowledge-bases/${kb.json.id}`, { token: key }), 404, "not_found");
    expectProblem(await call("POST", "/admin/knowledge-bases", { token: key, body: {} }), 400, "validation_failed");
  });

  it("inventory counts in the usage summary follow the resources, whatever the window", async () => {
    const { key, org } = await tenant();
    await deliver("provisioning", [{ orgId: org.id }]);
    await call("POST", "/admin/agents", { token: key, body: { name: "A" } });
    await call("POST", "/admin/agents", { token: key, body: { name: "B" } });
    const s = await call("GET", "/admin/usage/summary?from=2020-01-01&to=2020-02-01", { token: key });
    expect(s.json.inventory).toEqual({ agents: 2, phone_numbers: 1, web_widgets: 0, knowledge_bases: 1 });
  });

  it("deleteOrgResourcesStatements removes the org's data and returns its number to the pool; destroy clears the DO", async () => {
    const { key, org } = await tenant();
    await deliver("provisioning", [{ orgId: org.id }]);
    await call("POST", "/admin/agents", { token: key, body: { name: "A" } });
    await call("POST", "/admin/usage/events", {
      token: key,
      body: { events: [{ key: "w", kind: "workflow_run", outcome: "success" }] },
    });
    await waitFor(async () => (await db().select().from(usageDaily).where(eq(usageDaily.orgId, org.id)))[0]);
    const [assigned] = await db().select().from(phoneNumbers).where(eq(phoneNumbers.orgId, org.id));
    if (!assigned) throw new Error("provisioning assigned the org no phone number");
    const { number } = assigned;
    await call("POST", "/admin/calls", { token: key, body: { channel: "voice", direction: "inbound" } });

    await runBatch(db(), deleteOrgResourcesStatements(db(), org.id));
    await destroyOrgConcurrency(env, org.id);

    expect(await db().select().from(agents).where(eq(agents.orgId, org.id))).toHaveLength(0);
    expect(await db().select().from(usageDaily).where(eq(usageDaily.orgId, org.id))).toHaveLength(0);
    const [pooled] = await db().select().from(phoneNumberPool).where(eq(phoneNumberPool.number, number));
    expect(pooled).toMatchObject({ orgId: null });
    expect(await concurrencyOf(env, org.id).getStatus()).toEqual({ active: 0, limit: 1, peak: 0 });
    const s = await call("GET", "/admin/usage/summary", { token: key });
    expect(s.json.inventory).toEqual({ agents: 0, phone_numbers: 0, web_widgets: 0, knowledge_bases: 0 });
  });
});
