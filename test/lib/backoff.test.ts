import { describe, expect, it } from "vitest";
import { BACKOFF_BASE_SECONDS, backoffBase, backoffSeconds } from "../../src/lib/backoff";

describe("queue retry backoff", () => {
  it("backoff doubles per attempt and is capped", () => {
    expect([1, 2, 3, 4].map((a) => backoffSeconds(a, 2))).toEqual([2, 4, 8, 16]);
    expect(backoffSeconds(20, 2)).toBe(300);
    expect(backoffSeconds(3, 0)).toBe(0);
  });

  it("the default base is 2 s", () => {
    expect(BACKOFF_BASE_SECONDS).toBe(2);
    expect([1, 2, 3].map((a) => backoffSeconds(a))).toEqual([2, 4, 8]);
  });

  it("a configured base is read as seconds; unset or not a number falls back to the default", () => {
    expect(backoffBase("0")).toBe(0);
    expect(backoffBase("5")).toBe(5);
    expect(backoffBase(undefined)).toBe(BACKOFF_BASE_SECONDS);
    expect(backoffBase("soon")).toBe(BACKOFF_BASE_SECONDS);
  });
});
