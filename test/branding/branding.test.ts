import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createOrg, expectProblem, onPlan, tenant } from "../harness";

const B = "/admin/organization/branding";

describe("PUT /admin/organization/branding: validation", () => {
  it.each([
    [{ logo_url: "http://cdn.example.com/l.png" }, "logo_url"],
    [{ icon_url: "javascript:alert(1)" }, "icon_url"],
    [{ primary_color: "red" }, "primary_color"],
    [{ accent_color: "#12345" }, "accent_color"],
    [{ support_email: "not-an-email" }, "support_email"],
    [{ display_name: "x".repeat(101) }, "display_name"],
    [{ display_name: "<script>" }, "display_name"],
    [{ hide_product_name: "yes" }, "hide_product_name"],
    [{ favicon: "https://x.example.com" }, "(body)"],
  ])("refuses %j (400 naming %s)", async (body, field) => {
    const t = await tenant();
    const res = await call("PUT", B, { token: t.key, body });
    expectProblem(res, 400, "validation_failed");
    expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it("refuses a colour too light for white text, saying by how much; the darkest that passes is kept", async () => {
    const t = await tenant();
    for (const [field, colour, ratio] of [
      ["primary_color", "#ffff00", "1.07:1"],
      ["accent_color", "#AABBCC", "1.96:1"],
      ["accent_color", "#777777", "4.48:1"], // just short
    ] as const) {
      const res = await call("PUT", B, { token: t.key, body: { [field]: colour } });
      expectProblem(res, 400, "validation_failed");
      const error = res.json.errors.find((e: { field: string }) => e.field === field);
      expect(error?.message).toContain(`${ratio} against white, and at least 4.5:1`);
      expect(res.json.errors).toHaveLength(1);
    }
    const ok = await call("PUT", B, { token: t.key, body: { accent_color: "#767676" } }); // 4.54:1
    expect(ok.status).toBe(200);
    expect(ok.json.own.accent_color).toBe("#767676");
  });

  it("stores colours lower-case; PUT replaces (a field left out is inherited again); DELETE clears", async () => {
    const t = await tenant();
    const first = await call("PUT", B, {
      token: t.key,
      body: { display_name: "Brand", primary_color: "#1A4D8F", logo_url: "https://cdn.example.com/l.png" },
    });
    expect(first.status).toBe(200);
    expect(first.json.own).toEqual({
      display_name: "Brand",
      logo_url: "https://cdn.example.com/l.png",
      icon_url: null,
      primary_color: "#1a4d8f",
      accent_color: null,
      support_email: null,
      hide_product_name: null,
    });
    const second = await call("PUT", B, { token: t.key, body: { accent_color: "#000000" } });
    expect(second.json.own).toMatchObject({ display_name: null, primary_color: null, accent_color: "#000000" });
    expect((await call("DELETE", B, { token: t.key })).status).toBe(204);
    const cleared = await call("GET", B, { token: t.key });
    expect(cleared.json.own.accent_color).toBeNull();
    // display_name falls back to the org's own name.
    expect(cleared.json.effective.display_name).toEqual({ value: t.org.name, org_id: t.org.id });
    expect(cleared.json.effective.logo_url).toEqual({ value: null, org_id: null });
    // Changes are audited.
    const audit = await call("GET", "/admin/audit-log", { token: t.owner.session, org: t.org.id });
    expect(audit.json.data.filter((e: { action: string }) => e.action === "organization.updated").length).toBe(3);
  });
});

describe("white-label inheritance", () => {
  it("three levels deep: each unset field from the nearest ancestor, with the source org per field", async () => {
    const agency = await tenant();
    const client = await createOrg(agency.owner, { parentId: agency.org.id });
    const site = await createOrg(agency.owner, { parentId: client.id });
    const as = (org: string, body: unknown) => call("PUT", B, { token: agency.owner.session, org, body });
    expect(
      (
        await as(agency.org.id, {
          display_name: "Agency",
          logo_url: "https://agency.example.com/logo.png",
          primary_color: "#111111",
          accent_color: "#555555",
          support_email: "help@agency.example.com",
        })
      ).status,
    ).toBe(200);
    await as(client.id, { primary_color: "#222222", support_email: "help@client.example.com" });
    await as(site.id, { accent_color: "#333333" });

    const res = await call("GET", B, { token: agency.owner.session, org: site.id });
    expect(res.status).toBe(200);
    expect(res.json.own).toMatchObject({ accent_color: "#333333", primary_color: null, display_name: null });
    expect(res.json.effective).toEqual({
      display_name: { value: "Agency", org_id: agency.org.id },
      logo_url: { value: "https://agency.example.com/logo.png", org_id: agency.org.id },
      icon_url: { value: null, org_id: null },
      primary_color: { value: "#222222", org_id: client.id },
      accent_color: { value: "#333333", org_id: site.id },
      support_email: { value: "help@client.example.com", org_id: client.id },
      hide_product_name: { value: false, org_id: null },
    });
    // An override in the middle wins over the root for everything below it.
    await as(client.id, { display_name: "Client", primary_color: "#222222" });
    const after = await call("GET", B, { token: agency.owner.session, org: site.id });
    expect(after.json.effective.display_name).toEqual({ value: "Client", org_id: client.id });
    expect(after.json.effective.support_email).toEqual({ value: "help@agency.example.com", org_id: agency.org.id });
    // The root sees only its own.
    const root = await call("GET", B, { token: agency.key });
    expect(root.json.effective.primary_color).toEqual({ value: "#111111", org_id: agency.org.id });
  });
});

describe("hide_product_name", () => {
  it("is refused on plans without white-label (403 plan_required), allowed on agency, inherited while it lasts", async () => {
    const t = await tenant();
    expectProblem(await call("PUT", B, { token: t.key, body: { hide_product_name: true } }), 403, "plan_required");
    // Explicitly showing it is fine on any plan.
    expect((await call("PUT", B, { token: t.key, body: { hide_product_name: false } })).status).toBe(200);

    await onPlan(t.org.id, "agency");
    const ok = await call("PUT", B, { token: t.key, body: { hide_product_name: true, display_name: "Agency" } });
    expect(ok.status).toBe(200);
    expect(ok.json.effective.hide_product_name).toEqual({ value: true, org_id: t.org.id });

    const child = await createOrg(t.owner, { parentId: t.org.id });
    const inherited = await call("GET", B, { token: t.owner.session, org: child.id });
    expect(inherited.json.effective.hide_product_name).toEqual({ value: true, org_id: t.org.id });

    // The agency drops to a plan without white-label: the product name shows again below it.
    await onPlan(t.org.id, "smb");
    const lapsed = await call("GET", B, { token: t.owner.session, org: child.id });
    expect(lapsed.json.effective.hide_product_name).toEqual({ value: false, org_id: t.org.id });
  });

  it("hides the product name on the custom host", async () => {
    const t = await tenant();
    await onPlan(t.org.id, "enterprise");
    await call("PUT", B, { token: t.key, body: { hide_product_name: true } });
    const domain = `hide${Date.now().toString(36)}.example.com`;
    const put = await call("PUT", "/admin/organization/domain", { token: t.key, body: { domain } });
    await call("POST", "/dev/dns", {
      body: { type: "TXT", name: put.json.verification[0].name, value: put.json.verification[0].value },
    });
    await call("POST", "/admin/organization/domain/verify", { token: t.key });
    const headers = { host: domain };
    const json = await call("GET", "/branding.json", { headers });
    expect(json.json).toMatchObject({ product_name: null, hide_product_name: true });
    const page = await call("GET", "/", { headers });
    expect(page.text).not.toContain("Anyreach");
    const row = await env.DB.prepare("SELECT plan FROM organizations WHERE id = ?").bind(t.org.id).first();
    expect(row?.plan).toBe("enterprise");
  });
});
