import { describe, expect, it } from "vitest";
import { call, expectProblem, onPlan, tenant, uniq } from "../harness";

/** Issue 10: only an org on agency or enterprise — or a descendant of one — creates child organizations. */
const createChild = (token: string, parentId: string) =>
  call("POST", "/admin/organizations", { token, body: { name: uniq("Client "), parent_id: parentId } });

describe("plan gating of child creation", () => {
  it("a parent on free or smb is refused with 403 plan_required", async () => {
    const t = await tenant();
    expectProblem(await createChild(t.key, t.org.id), 403, "plan_required");
    await onPlan(t.org.id, "smb");
    expectProblem(await createChild(t.key, t.org.id), 403, "plan_required");
  });

  it("agency and enterprise parents create children; a grandchild under an agency's child too", async () => {
    const agency = await tenant();
    await onPlan(agency.org.id, "agency");
    const child = await createChild(agency.key, agency.org.id);
    expect(child.status, child.text).toBe(201);
    // The child's own plan is free, but it is a descendant of an agency.
    const grandchild = await createChild(agency.key, child.json.id);
    expect(grandchild.status, grandchild.text).toBe(201);

    const ent = await tenant();
    await onPlan(ent.org.id, "enterprise");
    expect((await createChild(ent.key, ent.org.id)).status).toBe(201);
  });

  it("an agency that drops to smb can no longer create children anywhere in its tree", async () => {
    const agency = await tenant();
    await onPlan(agency.org.id, "agency");
    const child = await createChild(agency.key, agency.org.id);
    expect(child.status).toBe(201);
    await onPlan(agency.org.id, "smb");
    expectProblem(await createChild(agency.key, agency.org.id), 403, "plan_required");
    expectProblem(await createChild(agency.key, child.json.id), 403, "plan_required");
  });
});
