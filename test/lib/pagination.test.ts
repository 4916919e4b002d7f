import { describe, expect, it } from "vitest";
import { AppError } from "../../src/lib/errors";
import { cursorKey, cursorParts, decodeCursor, encodeCursor, paginate } from "../../src/lib/pagination";

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("validation_failed");
    expect((err as AppError).errors).toEqual([{ field: "cursor", message: "Pass next_cursor unchanged" }]);
    return;
  }
  throw new Error("expected the cursor to be refused");
};

describe("cursors", () => {
  it("round-trip their parts, in base64url without padding", () => {
    const c = encodeCursor(["org_abc", 1_767_225_600_000]);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual(["org_abc", 1_767_225_600_000]);
    expect(cursorKey(encodeCursor(["mem_1"]))).toBe("mem_1");
    expect(cursorParts(encodeCursor([5, "usr_1"]), ["number", "string"] as const)).toEqual([5, "usr_1"]);
    // Characters that standard base64 turns into + and /, and the standard form of old cursors.
    const odd = ["a>>>?", "b~~~"];
    expect(decodeCursor(encodeCursor(odd))).toEqual(odd);
    expect(decodeCursor(btoa(JSON.stringify(odd)))).toEqual(odd);
  });

  it("an absent or empty cursor is the first page", () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor("")).toBeNull();
    expect(cursorKey(undefined)).toBeUndefined();
    expect(cursorParts("", ["number", "string"] as const)).toBeNull();
  });

  it("a cursor this code did not make is refused (400), never read as the first page", () => {
    for (const c of [
      "AAAA",
      "%%%not-base64",
      btoa("not json"),
      btoa(JSON.stringify({ id: "x" })),
      btoa("[]"),
      btoa("[null]"),
      btoa('[{"a":1}]'),
      encodeCursor([1.5]),
      encodeCursor(["with space"]),
      encodeCursor(["x".repeat(201)]),
      encodeCursor(["a", "b", "c", "d", "e"]),
    ]) {
      refused(() => decodeCursor(c));
    }
    refused(() => cursorKey(encodeCursor([42])));
    refused(() => cursorKey(encodeCursor(["a", "b"])));
    refused(() => cursorParts(encodeCursor(["mem_1"]), ["number", "string"] as const));
    refused(() => cursorParts(encodeCursor(["x", "y"]), ["number", "string"] as const));
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
