import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  agents,
  billingAccounts,
  emailDeliveries,
  invitations,
  knowledgeBases,
  memberships,
  phoneNumbers,
  provisioningJobs,
  provisioningSteps,
} from "../../src/db/schema";
import { concurrencyOf } from "../../src/calls/client";
import { composeLifecycle, type OrgHooks } from "../../src/orgs/lifecycle";
import { buildOrganizationRow } from "../../src/orgs/service";
import { call, createUser, db, uniq, waitFor, orgStatusOf } from "../harness";

describe("the app's org lifecycle", () => {
  it("creating an org runs every capability's part; deleting it removes every capability's rows", async () => {
    const owner = await createUser();
    const created = await call("POST", "/admin/organizations", { token: owner.session, body: { name: uniq("Life ") } });
    expect(created.status).toBe(201);
    const { id, slug } = created.json;
    // Provisioning's outbox row and steps were written in the creation batch…
    expect(await db().select().from(provisioningJobs).where(eq(provisioningJobs.orgId, id))).toHaveLength(1);
    expect(await db().select().from(provisioningSteps).where(eq(provisioningSteps.orgId, id))).toHaveLength(4);
    // …and its message was sent after the commit: the consumer provisions the org.
    await waitFor(async () => (await orgStatusOf(id)) === "active");

    const as = (method: string, path: string, body?: unknown) =>
      call(method, path, { token: owner.session, org: id, body });
    expect((await as("POST", "/admin/invitations", { email: `${uniq("l")}@example.com`, role: "member" })).status).toBe(
      201,
    );
    expect((await as("POST", "/admin/agents", { name: "Doomed" })).status).toBe(201);
    expect((await as("POST", "/admin/calls", { channel: "voice", direction: "inbound" })).status).toBe(201);
    expect((await concurrencyOf(env, id).getStatus()).active).toBe(1);

    expect((await as("DELETE", "/admin/organization", { slug })).status).toBe(204);

    const tables = [
      invitations,
      agents,
      knowledgeBases,
      phoneNumbers,
      billingAccounts,
      provisioningJobs,
      provisioningSteps,
      memberships,
    ];
    for (const table of tables) expect(await db().select().from(table).where(eq(table.orgId, id))).toEqual([]);
    await waitFor(async () => (await concurrencyOf(env, id).getStatus()).active === 0);
  });
});

describe("composeLifecycle", () => {
  const stmt = (key: string) => db().delete(emailDeliveries).where(eq(emailDeliveries.messageKey, key));
  const org = buildOrganizationRow({ name: "Unsaved", creatorUserId: null, creatorRoles: [] }, "unsaved");

  it("joins the capabilities' statements in the order they are listed", () => {
    const [a, b, c] = [stmt("a"), stmt("b"), stmt("c")];
    const lifecycle = composeLifecycle([
      { creationStatements: () => [a], deletionStatements: () => [b] },
      {},
      { deletionStatements: () => [c] },
    ]);
    const all: BatchItem<"sqlite">[] = [a, b, c];
    expect(lifecycle.creationStatements(db(), org).map((s) => all.indexOf(s))).toEqual([0]);
    expect(lifecycle.deletionStatements(db(), org.id).map((s) => all.indexOf(s))).toEqual([1, 2]);
  });

  it("a failing clean-up after deletion does not keep the next one from running", async () => {
    const ran: string[] = [];
    const failing: OrgHooks = {
      afterDeletion: async () => {
        throw new Error("clean-up failed");
      },
    };
    const recording: OrgHooks = {
      afterDeletion: async (_env, deleted) => {
        ran.push(deleted.id);
      },
    };
    await composeLifecycle([failing, recording]).afterDeletion(env, org);
    expect(ran).toEqual([org.id]);
  });
});
