import { describe, expect, it } from "vitest";
import { DAY_MS, dayOf, daysBetween, iso, parseInstant } from "../../src/lib/dates";

describe("parseInstant", () => {
  it("reads a date as midnight UTC and a date-time without offset as UTC", () => {
    expect(parseInstant("2026-01-31")).toBe(Date.UTC(2026, 0, 31));
    expect(parseInstant("2026-01-31T12:30")).toBe(Date.UTC(2026, 0, 31, 12, 30));
    expect(parseInstant("2026-01-31T12:30:15.250")).toBe(Date.UTC(2026, 0, 31, 12, 30, 15, 250));
  });

  it("honours Z and numeric offsets, with or without a colon", () => {
    expect(parseInstant("2026-01-31T12:00:00Z")).toBe(Date.UTC(2026, 0, 31, 12));
    expect(parseInstant("2026-01-10T00:00:00+02:00")).toBe(Date.UTC(2026, 0, 9, 22));
    expect(parseInstant("2026-01-10T00:00:00-0530")).toBe(Date.UTC(2026, 0, 10, 5, 30));
  });

  it("refuses a day the calendar does not have instead of rolling it over", () => {
    for (const v of ["2026-02-30", "2026-02-29T00:00:00Z", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00"]) {
      expect(parseInstant(v), v).toBeUndefined();
    }
  });

  it("knows leap years (every 4th, not every 100th, every 400th)", () => {
    expect(parseInstant("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(parseInstant("2000-02-29")).toBe(Date.UTC(2000, 1, 29));
    expect(parseInstant("2100-02-29")).toBeUndefined();
  });

  it("refuses what is not ISO 8601 or an impossible time", () => {
    for (const v of [
      "",
      "yesterday",
      "2026-1-31",
      "31/01/2026",
      "2026-01-31 12:00",
      "2026-01-31T25:00:00Z",
      "1769860800000",
    ]) {
      expect(parseInstant(v), v).toBeUndefined();
    }
  });
});

describe("day helpers", () => {
  it("DAY_MS is one UTC day", () => {
    expect(Date.UTC(2026, 2, 2) - Date.UTC(2026, 2, 1)).toBe(DAY_MS);
  });

  it("dayOf is the UTC calendar day of an instant", () => {
    expect(dayOf(Date.UTC(2026, 0, 31, 23, 59, 59, 999))).toBe("2026-01-31");
    expect(dayOf(Date.UTC(2026, 1, 1))).toBe("2026-02-01");
  });

  it("daysBetween lists every day of the range, both ends included", () => {
    expect([...daysBetween("2024-02-27", "2024-03-01")]).toEqual([
      "2024-02-27",
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
    ]);
    expect([...daysBetween("2026-01-01", "2026-01-01")]).toEqual(["2026-01-01"]);
    expect([...daysBetween("2026-01-02", "2026-01-01")]).toEqual([]);
  });

  it("iso renders epoch ms as ISO 8601 UTC and keeps null", () => {
    expect(iso(Date.UTC(2026, 0, 31, 12))).toBe("2026-01-31T12:00:00.000Z");
    expect(iso(null)).toBeNull();
  });
});
