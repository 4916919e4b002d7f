import { describe, expect, it, beforeAll } from "vitest";
import { eq } from "drizzle-orm";
import { apiKeys, invitations, memberships, organizations } from "../../src/db/schema";
import { call, db, defined, tenant } from "../harness";
import { ORG_ROUTES, type VictimFixture } from "./routes";
import { buildVictimObjects } from "./victim-objects";

type Tenant = Awaited<ReturnType<typeof tenant>>;

describe("tenant isolation: a credential of org B never reaches org A", () => {
  let a: Tenant;
  let b: Tenant;
  let victim: VictimFixture;

  beforeAll(async () => {
    a = await tenant();
    b = await tenant();
    victim = { org: a.org, ownerId: a.owner.id, keyId: a.keyId, ids: await buildVictimObjects(a) };
  });

  const refs = (v: VictimFixture) => [v.org.id, v.org.slug];

  for (const route of ORG_ROUTES) {
    const name = `${route.method} ${route.path({ org: { id: "{A}" } as never, ownerId: "{owner}", keyId: "{key}", ids: new Proxy({}, { get: (_, k) => `{${String(k)}}` }) })}`;

    it(`${name}: B's API key naming A is refused (403)`, async () => {
      for (const ref of refs(victim)) {
        const res = await call(route.method, route.path(victim), {
          token: b.key,
          org: ref,
          body: route.body?.(victim),
        });
        expect(res.status).toBe(403);
        expect(res.json.code).toBe("organization_mismatch");
      }
    });

    it(`${name}: B's PAT naming A is refused (403)`, async () => {
      for (const ref of refs(victim)) {
        const res = await call(route.method, route.path(victim), {
          token: b.pat,
          org: ref,
          body: route.body?.(victim),
        });
        expect(res.status).toBe(403);
        expect(res.json.code).toBe("not_a_member");
      }
    });

    it(`${name}: B's session naming A is refused (403)`, async () => {
      const res = await call(route.method, route.path(victim), {
        token: b.owner.session,
        org: victim.org.id,
        body: route.body?.(victim),
      });
      expect(res.status).toBe(403);
    });

    it(`${name}: B acting in its own org never sees or touches A's data`, async () => {
      const res = await call(route.method, route.path(victim), { token: b.key, body: route.body?.(victim) });
      if (route.namesVictimObject) expect(res.status).toBe(404);
      for (const secret of [victim.org.id, victim.org.slug, victim.keyId, ...Object.values(victim.ids)]) {
        expect(res.text).not.toContain(secret);
      }
    });
  }

  it("A is unchanged after every attempt", async () => {
    const row = defined((await db().select().from(organizations).where(eq(organizations.id, victim.org.id)))[0]);
    expect(row.name).toBe(victim.org.name);
    const key = defined((await db().select().from(apiKeys).where(eq(apiKeys.id, victim.keyId)))[0]);
    expect(key.revokedAt).toBeNull();
    const members = await db().select().from(memberships).where(eq(memberships.orgId, victim.org.id));
    expect(members.map((m) => [m.userId, m.roles]).sort()).toEqual(
      [
        [victim.ownerId, "owner"],
        [defined(victim.ids.member), "member"],
      ].sort(),
    );
    const invitationId = defined(victim.ids.invitation);
    const inv = defined((await db().select().from(invitations).where(eq(invitations.id, invitationId)))[0]);
    expect({ status: inv.status, sendCount: inv.sendCount }).toEqual({ status: "pending", sendCount: 1 });
    expect((await call("GET", `/admin/agents/${victim.ids.agent}`, { token: a.key })).json.name).toBe("Victim agent");
    expect((await call("GET", "/admin/knowledge-bases", { token: a.key })).json.data).toHaveLength(1);
    expect((await call("POST", `/admin/calls/${victim.ids.call}/heartbeat`, { token: a.key })).status).toBe(200);
    expect((await call("GET", "/admin/concurrency", { token: a.key })).json).toEqual({ active: 1, limit: 1 });
    // A's child: still there, still owned by A, its status untouched.
    const child = defined(
      (
        await db()
          .select()
          .from(organizations)
          .where(eq(organizations.id, victim.ids.childOrg ?? ""))
      )[0],
    );
    expect({ owner: child.ownerOrgId, status: child.status }).toEqual({ owner: victim.org.id, status: "provisioning" });
  });
});
