import type { Scope } from "./scopes";

/** Who is calling. Exactly one per authenticated request. */
export type Principal =
  | { kind: "session"; userId: string; sessionId: string | null; email: string }
  | { kind: "pat"; userId: string; tokenId: string; scopes: readonly Scope[] }
  | { kind: "api_key"; keyId: string; orgId: string; scopes: readonly Scope[]; createdBy: string | null };

export type CredentialKind = Principal["kind"];

export function userIdOf(p: Principal): string | null {
  return p.kind === "api_key" ? null : p.userId;
}
