import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/lib/pagination";
import { addMember, call, createKey, createOrg, createPat, createUser, expectProblem, tenant } from "../harness";

type Parameter = { name: string; in: string; required?: boolean };
type Operation = { parameters?: Parameter[]; "x-org-context"?: string };

/**
 * Issue 9 item 3: every list refuses a cursor it did not make with a 400 naming `cursor`
 * (it used to read `AAAA` as "no cursor" and answer the first page). The lists come from
 * /openapi.json (every GET taking `cursor`), so a new list is covered without being listed.
 */
const FORGED: [string, string][] = [
  ["AAAA (NUL bytes)", "AAAA"],
  ["not base64", "%%%"],
  ["base64 of text", btoa("not json")],
  ["a JSON object", btoa(JSON.stringify({ id: "x" }))],
  ["JSON null", btoa("null")],
  ["an empty list", encodeCursor([])],
  ["an object part", btoa(JSON.stringify([{}]))],
  ["a fractional number", encodeCursor([1.5])],
  ["a part with spaces", encodeCursor(["a b"])],
  ["too many parts", encodeCursor(["a", "b", "c", "d", "e"])],
  ["three strings (no list takes them)", encodeCursor(["a", "b", "c"])],
];

let lists: { path: string; org: boolean }[];
let t: Awaited<ReturnType<typeof tenant>>;
let childId: string;

beforeAll(async () => {
  const doc = (await call("GET", "/openapi.json")).json as { paths: Record<string, Record<string, Operation>> };
  lists = Object.entries(doc.paths).flatMap(([path, ops]) => {
    const op = ops.get;
    return op?.parameters?.some((p) => p.in === "query" && p.name === "cursor")
      ? [{ path, org: op["x-org-context"] !== undefined }]
      : [];
  });
  t = await tenant();
  childId = (await createOrg(t.owner, { parentId: t.org.id })).id;
  // Two of everything the tenant lists, so each list has a second page to follow.
  await addMember(t.org, await createUser(), ["member"]);
  await createKey(t.org, { createdBy: t.owner.id });
  await createPat(t.owner);
});

const url = (path: string, query: string) => {
  const p = path.replace("{child_id}", childId);
  return `${p}?${p.endsWith("/search") ? "q=o&" : ""}${query}`;
};
const get = (l: { path: string; org: boolean }, query: string) =>
  call("GET", url(l.path, query), { token: t.owner.session, org: l.org ? t.org.id : undefined });

describe("list cursors", () => {
  it("every documented list takes a cursor (the twelve of the issue and the partner console's two)", () => {
    expect(lists.map((l) => l.path).sort()).toEqual(
      [
        "/admin/account/invitations",
        "/admin/account/security-log",
        "/admin/account/sessions",
        "/admin/account/tokens",
        "/admin/agents",
        "/admin/audit-log",
        "/admin/billing/ledger",
        "/admin/invitations",
        "/admin/knowledge-bases",
        "/admin/members",
        "/admin/organization-pats",
        "/admin/partner-console/organizations",
        "/admin/partner-console/organizations/search",
        "/admin/partner-console/organizations/{child_id}/invitations",
        "/admin/partner-console/organizations/{child_id}/members",
        "/admin/phone-numbers",
      ].sort(),
    );
  });

  it("each list answers its first page without a cursor or with an empty one", async () => {
    for (const l of lists) {
      for (const q of ["limit=1", "limit=1&cursor="]) {
        const res = await get(l, q);
        expect({ path: l.path, q, status: res.status }).toEqual({ path: l.path, q, status: 200 });
      }
    }
  });

  it("each list refuses a forged, undecodable or mistyped cursor with 400 validation_failed on `cursor`", async () => {
    for (const l of lists) {
      for (const [what, cursor] of FORGED) {
        const res = await get(l, `cursor=${encodeURIComponent(cursor)}`);
        expect({ path: l.path, what, status: res.status }).toEqual({ path: l.path, what, status: 400 });
        expectProblem(res, 400, "validation_failed");
        expect(res.json.errors).toEqual([{ field: "cursor", message: "Pass next_cursor unchanged" }]);
      }
    }
  });

  it("a cursor of the wrong kind for the list is refused: an id where a time + id is expected and back", async () => {
    const idLists = lists.filter((l) => !["/members", "/account/sessions"].some((p) => l.path.endsWith(p)));
    for (const l of lists) {
      const wrong = idLists.includes(l) ? encodeCursor([1_767_225_600_000, "usr_x"]) : encodeCursor(["mem_x"]);
      const res = await get(l, `cursor=${wrong}`);
      expect({ path: l.path, status: res.status }).toEqual({ path: l.path, status: 400 });
    }
  });

  it("the next_cursor a list hands out is accepted unchanged (and needs no URL encoding)", async () => {
    let followed = 0;
    for (const l of lists) {
      const first = await get(l, "limit=1");
      const next: string | null = first.json.next_cursor;
      if (!next) continue;
      expect(next).toMatch(/^[A-Za-z0-9_-]+$/);
      const second = await get(l, `limit=1&cursor=${next}`);
      expect({ path: l.path, status: second.status }).toEqual({ path: l.path, status: 200 });
      followed += 1;
    }
    expect(followed).toBeGreaterThanOrEqual(4);
  });
});
