import { describe, expect, it } from "vitest";
import { call } from "../harness";

describe("OpenAPI document", () => {
  it("describes every member, invitation, ownership, deletion and audit route", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const paths = res.json.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ["/admin/members", "get"],
      ["/admin/members/{user_id}/roles", "put"],
      ["/admin/members/{user_id}", "delete"],
      ["/admin/members/me/leave", "post"],
      ["/admin/members/me/scopes", "get"],
      ["/admin/organization/transfer-ownership", "post"],
      ["/admin/organization", "delete"],
      ["/admin/invitations", "get"],
      ["/admin/invitations", "post"],
      ["/admin/invitations/{id}/resend", "post"],
      ["/admin/invitations/{id}", "delete"],
      ["/admin/account/invitations", "get"],
      ["/admin/account/invitations/{id}/accept", "post"],
      ["/admin/account/invitations/{id}/decline", "post"],
      ["/admin/audit-log", "get"],
    ];
    for (const [path, method] of expected) expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });
});
