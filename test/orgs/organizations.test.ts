import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { memberships, organizations, orgSlugHistory } from "../../src/db/schema";
import { slugify } from "../../src/orgs/slug";
import {
  addMember,
  call,
  createKey,
  createPat,
  createUser,
  db,
  defined,
  expectProblem,
  onPlan,
  tenant,
  uniq,
} from "../harness";
import { deliver } from "../provisioning/helpers";
import { forgetAll } from "../../src/auth/cache";

describe("POST /admin/organizations", () => {
  it("creates an org with status provisioning, the creator as owner, in one batch", async () => {
    const u = await createUser();
    const slug = uniq("acme");
    const res = await call("POST", "/admin/organizations", { token: u.session, body: { name: "Acme Inc", slug } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      name: "Acme Inc",
      slug,
      status: "provisioning",
      parent_id: null,
      plan: "free",
      concurrency_limit: 1,
    });
    const m = await db().select().from(memberships).where(eq(memberships.orgId, res.json.id));
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ userId: u.id, roles: "owner" });
    const me = await call("GET", "/admin/me", { token: u.session });
    expect(me.json.organizations.find((o: { id: string }) => o.id === res.json.id).roles).toEqual(["owner"]);
  });

  it("generates the slug from the name when blank", async () => {
    const u = await createUser();
    const name = `Ünïcode Café ${uniq("x")}`;
    const res = await call("POST", "/admin/organizations", { token: u.session, body: { name, slug: "" } });
    expect(res.status).toBe(201);
    expect(res.json.slug).toBe(slugify(name));
    expect(res.json.slug).toMatch(/^unicode-cafe-/);
  });

  it("a taken slug is a 409; the same slug in other case is taken too", async () => {
    const u = await createUser();
    const slug = uniq("dup");
    expect((await call("POST", "/admin/organizations", { token: u.session, body: { name: "A", slug } })).status).toBe(
      201,
    );
    expectProblem(
      await call("POST", "/admin/organizations", { token: u.session, body: { name: "B", slug } }),
      409,
      "slug_taken",
    );
    expectProblem(
      await call("POST", "/admin/organizations", { token: u.session, body: { name: "B", slug: slug.toUpperCase() } }),
      409,
      "slug_taken",
    );
  });

  it("two creations racing for one slug: exactly one wins", async () => {
    const u = await createUser();
    const slug = uniq("race");
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call("POST", "/admin/organizations", { token: u.session, body: { name: "R", slug } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
    expect(await db().select().from(organizations).where(eq(organizations.slug, slug))).toHaveLength(1);
  });

  it("refuses invalid and reserved slugs", async () => {
    const u = await createUser();
    for (const slug of ["has space", "under_score", "-lead", "trail-", "émoji", "a".repeat(64)]) {
      const res = await call("POST", "/admin/organizations", { token: u.session, body: { name: "X", slug } });
      expectProblem(res, 400, "validation_failed");
      expect(res.json.errors.map((e: { field: string }) => e.field)).toContain("slug");
    }
    for (const slug of ["admin", "api", "www"]) {
      expectProblem(
        await call("POST", "/admin/organizations", { token: u.session, body: { name: "X", slug } }),
        422,
        "slug_reserved",
      );
    }
  });

  it("name is required; unknown fields are refused", async () => {
    const u = await createUser();
    const res = await call("POST", "/admin/organizations", { token: u.session, body: {} });
    expectProblem(res, 400, "validation_failed");
    expect(res.json.errors[0].field).toBe("name");
    expectProblem(
      await call("POST", "/admin/organizations", { token: u.session, body: { name: "x", owner_id: "usr_1" } }),
      400,
      "validation_failed",
    );
  });

  it("an org API key cannot create a top-level org", async () => {
    const t = await tenant();
    expectProblem(await call("POST", "/admin/organizations", { token: t.key, body: { name: "x" } }), 403, "forbidden");
  });

  it("a child org: parent must be in the caller's subtree and the caller holds child_organizations:manage", async () => {
    const t = await tenant();
    const other = await tenant();
    await onPlan(t.org.id, "agency");
    const child = await call("POST", "/admin/organizations", {
      token: t.key,
      body: { name: "Client", parent_id: t.org.id },
    });
    expect(child.status).toBe(201);
    expect(child.json.parent_id).toBe(t.org.id);
    // The key's creator (the owner) is added to the child as admin.
    const m = await db().select().from(memberships).where(eq(memberships.orgId, child.json.id));
    expect(m).toEqual([expect.objectContaining({ userId: t.owner.id, roles: "admin" })]);
    const grandchild = await call("POST", "/admin/organizations", {
      token: t.key,
      body: { name: "Deep", parent_id: child.json.id },
    });
    expect(grandchild.status).toBe(201);
    // Another tenant's org as parent: refused as if it did not exist.
    expectProblem(
      await call("POST", "/admin/organizations", { token: t.key, body: { name: "x", parent_id: other.org.id } }),
      404,
      "not_found",
    );
    expectProblem(
      await call("POST", "/admin/organizations", { token: t.key, body: { name: "x", parent_id: "org_nope" } }),
      404,
      "not_found",
    );
    const member = await createUser();
    await addMember(t.org, member, ["member"]);
    expectProblem(
      await call("POST", "/admin/organizations", {
        token: member.session,
        org: t.org.id,
        body: { name: "x", parent_id: t.org.id },
      }),
      403,
      "insufficient_scope",
    );
  });
});

describe("GET /admin/organizations/slug-availability", () => {
  it("answers available, taken, reserved and invalid", async () => {
    const t = await tenant();
    const free = uniq("free");
    const q = async (slug: string) =>
      (
        await call("GET", `/admin/organizations/slug-availability?slug=${encodeURIComponent(slug)}`, {
          token: t.owner.session,
        })
      ).json;
    expect(await q(free)).toEqual({ slug: free, available: true, reason: null });
    expect(await q(t.org.slug)).toEqual({ slug: t.org.slug, available: false, reason: "taken" });
    expect(await q("admin")).toMatchObject({ available: false, reason: "reserved" });
    expect(await q("no_way")).toMatchObject({ available: false, reason: "invalid" });
  });

  it("needs a credential", async () => {
    expectProblem(await call("GET", "/admin/organizations/slug-availability?slug=x"), 401, "unauthenticated");
  });
});

describe("PATCH /admin/organization", () => {
  it("changes name, avatar, billing e-mail and address, phone numbers", async () => {
    const t = await tenant();
    const body = {
      name: "Renamed",
      avatar_url: "https://cdn.example.com/logo.png",
      billing_email: "billing@example.com",
      billing_address: { line1: "1 Main St", city: "Springfield", country: "us" },
      phone_numbers: [await provisionedNumber(t)],
    };
    const res = await call("PATCH", "/admin/organization", { token: t.key, body });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ...body, billing_address: { ...body.billing_address, country: "US" } });
    expect((await call("GET", "/admin/organization", { token: t.key })).json.name).toBe("Renamed");
  });

  it("validates fields and names them", async () => {
    const t = await tenant();
    for (const [field, value] of [
      ["avatar_url", "javascript:alert(1)"],
      ["billing_email", "nope"],
      ["phone_numbers", ["555-1234"]],
    ] as const) {
      const res = await call("PATCH", "/admin/organization", { token: t.key, body: { [field]: value } });
      expectProblem(res, 400, "validation_failed");
      expect(res.json.errors[0].field).toContain(field);
    }
    expectProblem(await call("PATCH", "/admin/organization", { token: t.key, body: {} }), 400, "validation_failed");
  });

  it("status is not a setting: no credential of the org can suspend or resume it (400, nothing written)", async () => {
    const t = await tenant();
    await deliver("provisioning", [{ orgId: t.org.id }]);
    const pat = await createPat(t.owner);
    for (const status of ["suspended", "active"]) {
      for (const as of [{ token: t.key }, { token: pat, org: t.org.id }, { token: t.owner.session, org: t.org.id }]) {
        const res = await call("PATCH", "/admin/organization", { ...as, body: { status } });
        expectProblem(res, 400, "validation_failed");
        expect(res.json.errors[0].message).toContain("status");
        const mixed = await call("PATCH", "/admin/organization", { ...as, body: { name: "Still", status } });
        expectProblem(mixed, 400, "validation_failed");
      }
    }
    const row = defined((await db().select().from(organizations).where(eq(organizations.id, t.org.id)))[0]);
    expect({ status: row.status, name: row.name }).toEqual({ status: "active", name: t.org.name });
    // Still read, as before.
    expect((await call("GET", "/admin/organization", { token: t.key })).json.status).toBe("active");
  });

  it("phone_numbers may name only the org's own provisioned numbers (422, nothing written)", async () => {
    const a = await tenant();
    const b = await tenant();
    const [mine, theirs] = [await provisionedNumber(a), await provisionedNumber(b)];
    const unassigned = "+15550009999";
    for (const numbers of [[theirs], [mine, theirs], [unassigned], [mine, unassigned, theirs]]) {
      const res = await call("PATCH", "/admin/organization", {
        token: a.key,
        body: { name: "Renamed", phone_numbers: numbers },
      });
      expectProblem(res, 422, "unprocessable");
      const refused = numbers.filter((n) => n !== mine);
      expect(res.json.errors.map((e: { field: string }) => e.field)).toEqual(
        refused.map((n) => `phone_numbers.${numbers.indexOf(n)}`),
      );
    }
    // Another org's number and a number of nobody are refused alike: nothing says whose it is.
    const foreign = await call("PATCH", "/admin/organization", { token: a.key, body: { phone_numbers: [theirs] } });
    const nobody = await call("PATCH", "/admin/organization", { token: a.key, body: { phone_numbers: [unassigned] } });
    expect(foreign.json.errors[0].message).toBe(nobody.json.errors[0].message);
    const row = defined((await db().select().from(organizations).where(eq(organizations.id, a.org.id)))[0]);
    expect({ name: row.name, phone_numbers: row.phoneNumbers }).toEqual({ name: a.org.name, phone_numbers: [] });
    // The org's own numbers are accepted, and an empty list clears them.
    const ok = await call("PATCH", "/admin/organization", { token: a.key, body: { phone_numbers: [mine] } });
    expect(ok.json.phone_numbers).toEqual([mine]);
    const cleared = await call("PATCH", "/admin/organization", { token: a.key, body: { phone_numbers: [] } });
    expect(cleared.json.phone_numbers).toEqual([]);
    expectProblem(
      await call("PATCH", "/admin/organization", { token: a.key, body: { phone_numbers: [mine, mine] } }),
      400,
      "validation_failed",
    );
  });

  it("a slug rename keeps the old slug resolving for 30 days and reserved from others", async () => {
    const t = await tenant();
    const old = t.org.slug;
    const fresh = uniq("new");
    const res = await call("PATCH", "/admin/organization", {
      token: t.owner.session,
      org: t.org.id,
      body: { slug: fresh },
    });
    expect(res.json.slug).toBe(fresh);
    const viaOld = await call("GET", "/admin/organization", { token: t.owner.session, org: old });
    expect(viaOld.status).toBe(200);
    expect(viaOld.json).toMatchObject({ id: t.org.id, slug: fresh });
    const [hist] = await db().select().from(orgSlugHistory).where(eq(orgSlugHistory.slug, old));
    expect((hist?.expiresAt ?? 0) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    // Nobody else can take the old slug during the grace period (409 from the check and from the DB trigger).
    const other = await createUser();
    expectProblem(
      await call("POST", "/admin/organizations", { token: other.session, body: { name: "x", slug: old } }),
      409,
      "slug_taken",
    );
    await expect(
      db()
        .insert(organizations)
        .values({ id: `org_triggertest${uniq()}`, slug: old, name: "x", phoneNumbers: [], createdAt: 1, updatedAt: 1 }),
    ).rejects.toThrow();
    const avail = await call("GET", `/admin/organizations/slug-availability?slug=${old}`, { token: other.session });
    expect(avail.json.available).toBe(false);
    // The org itself may take its old slug back.
    const back = await call("PATCH", "/admin/organization", {
      token: t.owner.session,
      org: t.org.id,
      body: { slug: old },
    });
    expect(back.json.slug).toBe(old);
  });

  it("after the grace period the old slug is free", async () => {
    const t = await tenant();
    const old = t.org.slug;
    const moved = await call("PATCH", "/admin/organization", { token: t.key, body: { slug: uniq("moved") } });
    expect(moved.status).toBe(200);
    await db()
      .update(orgSlugHistory)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(orgSlugHistory.slug, old));
    const other = await createUser();
    const res = await call("POST", "/admin/organizations", { token: other.session, body: { name: "x", slug: old } });
    expect(res.status).toBe(201);
  });

  it("renaming to a taken slug is a 409", async () => {
    const a = await tenant();
    const b = await tenant();
    expectProblem(
      await call("PATCH", "/admin/organization", { token: a.key, body: { slug: b.org.slug } }),
      409,
      "slug_taken",
    );
  });

  it("a member cannot change settings", async () => {
    const t = await tenant();
    const m = await createUser();
    await addMember(t.org, m, ["member"]);
    expectProblem(
      await call("PATCH", "/admin/organization", { token: m.session, org: t.org.id, body: { name: "x" } }),
      403,
      "insufficient_scope",
    );
    expect((await call("GET", "/admin/organization", { token: m.session, org: t.org.id })).status).toBe(200);
  });
});

/** The number provisioning assigned to the tenant's org (provisioned here, synchronously). */
async function provisionedNumber(t: Awaited<ReturnType<typeof tenant>>): Promise<string> {
  await deliver("provisioning", [{ orgId: t.org.id }]);
  const list = await call("GET", "/admin/phone-numbers", { token: t.key });
  return defined(list.json.data[0], "a provisioned number").number;
}

describe("child creation by an org API key", () => {
  it("does not seat the key's creator in the child once they have left the parent org", async () => {
    const t = await tenant();
    await onPlan(t.org.id, "agency");
    const admin = await createUser();
    await addMember(t.org, admin, ["admin"]);
    const key = await createKey(t.org, { createdBy: admin.id });
    await db().delete(memberships).where(eq(memberships.userId, admin.id));
    forgetAll();
    // Bound to its creator, the key died with their membership (issue 9, item 4)…
    expectProblem(
      await call("POST", "/admin/organizations", { token: key.token, body: { name: "After", parent_id: t.org.id } }),
      401,
      "credential_revoked",
    );
    // …until the owner keeps it: then it acts for the org, and seats nobody who left.
    const kept = await call("POST", `/admin/organization-pats/${key.id}/keep`, {
      token: t.owner.session,
      org: t.org.id,
    });
    expect(kept.status).toBe(200);
    const child = await call("POST", "/admin/organizations", {
      token: key.token,
      body: { name: "After", parent_id: t.org.id },
    });
    expect(child.status).toBe(201);
    expect(await db().select().from(memberships).where(eq(memberships.orgId, child.json.id))).toEqual([]);
  });
});
