import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

/**
 * Migration 0007 (issue 9, items 7 and 11) on a database as it was before it: an empty
 * database (MIGRATIONS_DB) gets every earlier migration, rows the old code could write, then 0007.
 */
const d = () => env.MIGRATIONS_DB;
const before = env.TEST_MIGRATIONS.filter((m) => m.name < "0007");
const m0007 = env.TEST_MIGRATIONS.filter((m) => m.name.startsWith("0007"));

const run = (sql: string, ...args: unknown[]) =>
  d()
    .prepare(sql)
    .bind(...args)
    .run();
const org = (id: string, parent: string | null, phones = "[]") =>
  run(
    "INSERT INTO organizations (id, slug, name, parent_id, phone_numbers, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 1)",
    id,
    id.replace(/_/g, "-"),
    id,
    parent,
    phones,
  );
const member = (orgId: string, userId: string, roles: string) =>
  run("INSERT INTO memberships (org_id, user_id, roles, created_at) VALUES (?, ?, ?, 1)", orgId, userId, roles);

describe("migration 0007 on existing data", () => {
  it("refuses to run while a top-level org has no owner, then gives every org exactly one owner", async () => {
    expect(m0007).toHaveLength(1);
    await applyD1Migrations(d(), before);
    for (const u of ["usr_a", "usr_b", "usr_c"]) {
      await run("INSERT INTO users (id, email, created_at) VALUES (?, ?, 1)", u, `${u}@example.com`);
    }
    // What the code before 0007 wrote: a top-level org and its owner, children with an admin
    // creator and no owner, a child created by an API key whose creator had left (no member).
    await org("org_top", null, '["+15550000001","+15550000002"]');
    await member("org_top", "usr_a", "owner");
    await org("org_kid", "org_top", '["+15550000002"]');
    await member("org_kid", "usr_a", "admin");
    await member("org_kid", "usr_b", "member");
    await org("org_grandkid", "org_kid");
    await org("org_lost", null);
    for (const [id, owner, n] of [
      ["pn_1", "org_top", "+15550000001"],
      ["pn_2", "org_kid", "+15550000002"],
    ]) {
      await run(
        "INSERT INTO phone_numbers (id, org_id, number, provider, created_at) VALUES (?, ?, ?, 'local', 1)",
        id,
        owner,
        n,
      );
    }

    // A top-level org without an owner cannot be given one by a migration: 0007 fails, whole.
    const failed = await applyD1Migrations(d(), m0007).then(
      () => "applied",
      (e: Error) => String(e.cause ?? e),
    );
    // (ADD COLUMN names no expression; that it is org_lost's shows below: without it, 0007 applies.)
    expect(failed).toMatch(/CHECK constraint failed/);
    const cols = await d().prepare("SELECT name FROM pragma_table_info('organizations')").all<{ name: string }>();
    expect(cols.results.map((c) => c.name)).not.toContain("owner_user_id");

    await run("DELETE FROM organizations WHERE id = 'org_lost'");
    await applyD1Migrations(d(), m0007);
    const owners = await d()
      .prepare("SELECT id, owner_user_id, owner_org_id, owner_type, phone_numbers FROM organizations ORDER BY id")
      .all();
    expect(owners.results).toEqual([
      {
        id: "org_grandkid",
        owner_user_id: null,
        owner_org_id: "org_kid",
        owner_type: "organization",
        phone_numbers: "[]",
      },
      {
        id: "org_kid",
        owner_user_id: null,
        owner_org_id: "org_top",
        owner_type: "organization",
        phone_numbers: '["+15550000002"]',
      },
      {
        id: "org_top",
        owner_user_id: "usr_a",
        owner_org_id: null,
        owner_type: "user",
        phone_numbers: '["+15550000001"]',
      },
    ]);
    expect((await d().prepare("PRAGMA foreign_key_check").all()).results).toEqual([]);
    // The children's members are untouched; from now on nobody can take `owner` in them.
    const kid = await d()
      .prepare("SELECT user_id, roles FROM memberships WHERE org_id = 'org_kid' ORDER BY user_id")
      .all();
    expect(kid.results).toEqual([
      { user_id: "usr_a", roles: "admin" },
      { user_id: "usr_b", roles: "member" },
    ]);
    await expect(
      run("UPDATE memberships SET roles = 'owner,admin' WHERE org_id = 'org_kid' AND user_id = 'usr_a'"),
    ).rejects.toThrow(/owner_mismatch/);
  });
});
