import { describe, expect, it } from "vitest";
import { cursorKey, decodeCursor, encodeCursor, paginate } from "../../src/lib/pagination";

describe("cursors", () => {
  it("round-trip their parts", () => {
    const c = encodeCursor(["org_abc", 1_767_225_600_000]);
    expect(c).not.toMatch(/=$/);
    expect(decodeCursor(c)).toEqual(["org_abc", 1_767_225_600_000]);
    expect(cursorKey(encodeCursor(["mem_1"]))).toBe("mem_1");
  });

  it("a missing, garbled or non-list cursor reads as no cursor", () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor("")).toBeNull();
    expect(decodeCursor("%%%not-base64")).toBeNull();
    expect(decodeCursor(btoa("not json"))).toBeNull();
    expect(decodeCursor(btoa(JSON.stringify({ id: "x" })))).toBeNull();
    expect(cursorKey("%%%")).toBeUndefined();
  });
});

describe("paginate", () => {
  const rows = [{ id: "a" }, { id: "b" }, { id: "c" }];
  const byId = (r: { id: string }) => [r.id];

  it("given limit + 1 rows, returns limit of them and a cursor after the last one returned", () => {
    const page = paginate(rows, 2, byId);
    expect(page.data).toEqual([{ id: "a" }, { id: "b" }]);
    expect(page.next_cursor).not.toBeNull();
    expect(cursorKey(page.next_cursor ?? undefined)).toBe("b");
  });

  it("the last page (limit rows or fewer) has no cursor", () => {
    expect(paginate(rows, 3, byId)).toEqual({ data: rows, next_cursor: null });
    expect(paginate(rows.slice(0, 1), 3, byId)).toEqual({ data: [{ id: "a" }], next_cursor: null });
    expect(paginate([], 3, byId)).toEqual({ data: [], next_cursor: null });
  });
});
