import { base62Fixed6, crc32, newId, randomBase62 } from "../lib/crypto";

/**
 * Credential formats. Each secret ends in a 6-character CRC32 checksum of everything
 * before it, so a typo or a truncated paste is refused without touching the database,
 * and secret scanners can recognise our tokens by prefix and checksum.
 *
 *   pat_<30 random base62><6 checksum>
 *   ak_<key id>.<32 random base62><6 checksum>
 */
const PAT_RE = /^pat_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/;
const AK_RE = /^ak_(key_[0-9a-z]{19})\.([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

function checksum(body: string): string {
  return base62Fixed6(crc32(body));
}

export function mintPersonalToken(): { token: string; hint: string } {
  const body = `pat_${randomBase62(30)}`;
  const token = body + checksum(body);
  return { token, hint: `pat_…${token.slice(-4)}` };
}

export function mintApiKey(): { id: string; token: string; hint: string } {
  const id = newId("key");
  const body = `ak_${id}.${randomBase62(32)}`;
  const token = body + checksum(body);
  return { id, token, hint: `ak_${id}.…${token.slice(-4)}` };
}

export type ParsedToken =
  | { kind: "pat" }
  | { kind: "api_key"; keyId: string }
  | { kind: "jwt" }
  | { kind: "malformed"; reason: string };

export function parseToken(raw: string): ParsedToken {
  if (raw.startsWith("pat_")) {
    const m = PAT_RE.exec(raw);
    if (!m) return { kind: "malformed", reason: "Malformed personal access token." };
    return checksum(`pat_${m[1]}`) === m[2]
      ? { kind: "pat" }
      : { kind: "malformed", reason: "Token checksum mismatch." };
  }
  if (raw.startsWith("ak_")) {
    const m = AK_RE.exec(raw);
    if (!m) return { kind: "malformed", reason: "Malformed API key." };
    const [, keyId = "", secret, sum] = m;
    return checksum(`ak_${keyId}.${secret}`) === sum
      ? { kind: "api_key", keyId }
      : { kind: "malformed", reason: "API key checksum mismatch." };
  }
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(raw)) return { kind: "jwt" };
  return { kind: "malformed", reason: "Unrecognised credential format." };
}
