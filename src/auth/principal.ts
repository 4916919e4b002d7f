import type { Scope } from "./scopes";

/** Who is calling. Exactly one per authenticated request. */
export type Principal =
  | { kind: "session"; userId: string; sessionId: string | null; email: string }
  | { kind: "pat"; userId: string; tokenId: string; scopes: readonly Scope[]; expiresAt: number | null }
  | {
      kind: "api_key";
      keyId: string;
      orgId: string;
      scopes: readonly Scope[];
      createdBy: string | null;
      /** The key acts with at most `createdBy`'s current power in its org (auth/org-context.ts). */
      boundToCreator: boolean;
      expiresAt: number | null;
    };

/** A user's own credential: a session or a PAT. */
export type UserPrincipal = Extract<Principal, { userId: string }>;

export type CredentialKind = Principal["kind"];

export function userIdOf(p: Principal): string | null {
  return p.kind === "api_key" ? null : p.userId;
}

/** Who made a change, as plain data (services never see the HTTP context). */
export type Actor = {
  kind: CredentialKind | "system";
  userId: string | null;
  credentialId: string | null;
  requestId: string | null;
  /** Shown as the inviter in invitation mail when known. */
  email?: string;
};

export function actorOfPrincipal(p: Principal, requestId: string | null): Actor {
  switch (p.kind) {
    case "api_key":
      return { kind: "api_key", userId: null, credentialId: p.keyId, requestId };
    case "pat":
      return { kind: "pat", userId: p.userId, credentialId: p.tokenId, requestId };
    case "session":
      return { kind: "session", userId: p.userId, credentialId: p.sessionId, requestId, email: p.email };
  }
}
