import { describe, expect, it } from "vitest";
import { base62Fixed6, crc32 } from "../../src/lib/crypto";

describe("token checksum helpers", () => {
  it("crc32 is CRC-32/IEEE of the UTF-8 bytes (the check values every implementation shares)", () => {
    expect(crc32("")).toBe(0);
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("The quick brown fox jumps over the lazy dog")).toBe(0x414fa339);
    expect(crc32("é")).toBe(0x0e048d3e);
  });

  it("base62Fixed6 is always six characters", () => {
    expect(base62Fixed6(0)).toBe("000000");
    expect(base62Fixed6(61)).toBe("00000z");
    expect(base62Fixed6(0xffffffff)).toHaveLength(6);
  });
});
