import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { cachedRead, configureReadCache } from "../../src/db/read-cache";
import { addMember, call, createUser, db, onPlan, tenant, uniq } from "../harness";

/**
 * The read cache (src/db/read-cache.ts). Writes that bypass our D1 client (`env.DB` straight,
 * as another isolate's write would look from here) are how a test sees that an answer came from
 * the cache; any write through makeDb must end that at once.
 */

/** A loader that counts its calls, so a test can tell a hit from a miss. */
function counting<T>(value: T) {
  const load = async () => {
    load.calls += 1;
    return value;
  };
  load.calls = 0;
  return load;
}

afterEach(() => configureReadCache(undefined));

describe("read cache", () => {
  it("serves a repeated read from the isolate until a write completes", async () => {
    const key = uniq("k");
    const load = counting("v");
    await cachedRead(key, load);
    await cachedRead(key, load);
    expect(load.calls).toBe(1);
    await db().$client.prepare("UPDATE users SET name = name WHERE id = ?").bind("nobody").run();
    await cachedRead(key, load);
    expect(load.calls).toBe(2);
  });

  it("every kind of write through makeDb ends it: drizzle, raw batch, bound statement, exec", async () => {
    const d = db();
    const writes: (() => Promise<unknown>)[] = [
      () => d.$client.batch([d.$client.prepare("UPDATE users SET name = name WHERE id = ?").bind("x")]),
      () => d.$client.prepare("DELETE FROM dev_dns_records WHERE name = ?").bind(uniq("n")).run(),
      () => d.$client.exec("UPDATE users SET name = name WHERE id = 'x'"),
      async () => {
        const owner = await createUser(); // a drizzle batch of inserts
        return owner;
      },
    ];
    for (const write of writes) {
      const key = uniq("k");
      const load = counting(1);
      await cachedRead(key, load);
      await write();
      await cachedRead(key, load);
      expect(load.calls).toBe(2);
    }
  });

  it("an answer that keepIf refuses (too big to keep) is read anew each time", async () => {
    const key = uniq("k");
    const load = counting([1, 2, 3]);
    await cachedRead(key, load, (v) => v.length <= 2);
    await cachedRead(key, load, (v) => v.length <= 2);
    expect(load.calls).toBe(2);
  });

  it("a read through makeDb does not end it", async () => {
    const key = uniq("k");
    const load = counting(1);
    await cachedRead(key, load);
    await db().$client.prepare("SELECT count(*) FROM users").first();
    await db().$client.prepare("WITH t AS (SELECT 1 AS updated_at) SELECT * FROM t").all();
    await cachedRead(key, load);
    expect(load.calls).toBe(1);
  });

  it("a failed write ends it too (it may have changed something before failing)", async () => {
    const key = uniq("k");
    const load = counting(1);
    await cachedRead(key, load);
    await expect(db().$client.prepare("INSERT INTO no_such_table VALUES (1)").run()).rejects.toThrow();
    await cachedRead(key, load);
    expect(load.calls).toBe(2);
  });

  it("does not keep an answer read while a write completed", async () => {
    const key = uniq("k");
    let calls = 0;
    const slow = async () => {
      calls += 1;
      // The write lands between the read starting and its answer arriving.
      await db().$client.prepare("UPDATE users SET name = name WHERE id = ?").bind("x").run();
      return calls;
    };
    expect(await cachedRead(key, slow)).toBe(1);
    expect(await cachedRead(key, slow)).toBe(2);
  });

  it("forgets an entry after READ_CACHE_TTL_SECONDS even without a local write, and 0 turns it off", async () => {
    configureReadCache("0.05");
    const key = uniq("k");
    const load = counting(1);
    await cachedRead(key, load);
    await cachedRead(key, load);
    expect(load.calls).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    await cachedRead(key, load);
    expect(load.calls).toBe(2);
    configureReadCache("0");
    await cachedRead(key, load);
    await cachedRead(key, load);
    expect(load.calls).toBe(4);
  });
});

describe("cached routes", () => {
  it("GET /admin/members: a change elsewhere shows only after a local write; a local change at once", async () => {
    const t = await tenant();
    const other = await createUser();
    const first = await call("GET", "/admin/members", { token: t.key });
    expect(first.json.data).toHaveLength(1);
    // As if another isolate added a member: this isolate keeps its answer (within the TTL) ...
    await env.DB.prepare("INSERT INTO memberships (org_id, user_id, roles, created_at) VALUES (?, ?, 'member', ?)")
      .bind(t.org.id, other.id, Date.now())
      .run();
    expect((await call("GET", "/admin/members", { token: t.key })).json.data).toHaveLength(1);
    // ... and a write of its own shows everything at once.
    const third = await createUser();
    await addMember(t.org, third, ["viewer"]);
    const after = await call("GET", "/admin/members", { token: t.key });
    expect(after.json.data.map((m: { user_id: string }) => m.user_id).sort()).toEqual(
      [t.owner.id, other.id, third.id].sort(),
    );
  });

  it("each org and each page has its own entry", async () => {
    const a = await tenant();
    const b = await tenant();
    for (let i = 0; i < 2; i++) {
      expect((await call("GET", "/admin/members", { token: a.key })).json.data[0].user_id).toBe(a.owner.id);
      expect((await call("GET", "/admin/members", { token: b.key })).json.data[0].user_id).toBe(b.owner.id);
    }
    await addMember(a.org, await createUser(), ["member"]);
    const page1 = await call("GET", "/admin/members?limit=1", { token: a.key });
    const page2 = await call("GET", `/admin/members?limit=1&cursor=${page1.json.next_cursor}`, { token: a.key });
    expect(page1.json.data[0].user_id).not.toBe(page2.json.data[0].user_id);
  });

  it("GET /admin/invitations and GET /admin/billing show this isolate's writes at once", async () => {
    const t = await tenant();
    await onPlan(t.org.id, "agency", { balanceCents: 1000 });
    expect((await call("GET", "/admin/invitations", { token: t.key })).json.data).toHaveLength(0);
    const before = await call("GET", "/admin/billing", { token: t.key });
    expect(before.json.balance.amount_cents).toBe(1000);

    const email = `${uniq("i")}@example.com`;
    expect((await call("POST", "/admin/invitations", { token: t.key, body: { email, role: "member" } })).status).toBe(
      201,
    );
    expect(
      (await call("GET", "/admin/invitations", { token: t.key })).json.data.map((i: { email: string }) => i.email),
    ).toEqual([email]);

    await onPlan(t.org.id, "agency", { balanceCents: 2500 });
    expect((await call("GET", "/admin/billing", { token: t.key })).json.balance.amount_cents).toBe(2500);
  });

  it("GET /admin/me shows a new membership at once", async () => {
    const t = await tenant();
    const other = await tenant();
    const before = await call("GET", "/admin/me", { token: t.owner.session });
    const orgsOf = (r: typeof before) => r.json.organizations.map((o: { id: string }) => o.id);
    expect(orgsOf(before)).toEqual([t.org.id]);
    await addMember(other.org, t.owner, ["member"]);
    expect(orgsOf(await call("GET", "/admin/me", { token: t.owner.session }))).toEqual([t.org.id, other.org.id]);
  });
});
