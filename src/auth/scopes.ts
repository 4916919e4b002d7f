/**
 * The scope catalogue and the role → scope mapping. This module is the only place
 * that knows which role may do what.
 */
/** Scopes a role grants in an organization (the catalogue of DESIGN.md). */
export const ORG_SCOPES = [
  "organizations:read",
  "organizations:manage",
  "organizations:delete",
  "members:read",
  "members:manage",
  "api_keys:manage",
  "billing:manage",
  "child_organizations:manage",
  "resources:read",
  "resources:manage",
  "conversations:read",
  "conversations:read_sensitive",
  "conversations:manage",
  "conversations:dial",
  "audit_log:read",
] as const;

/**
 * Scopes over the caller's own account (no organization): its PATs, sessions, invitations,
 * security log and the top-level organizations it creates. A session holds them all; a PAT
 * only those it was created with; an org API key none (it has no account).
 */
export const ACCOUNT_SCOPES = [
  /** See your PATs (those within the caller's power), sessions, invitations and security log. */
  "account:read",
  /** Create PATs (never beyond the caller) and revoke PATs within the caller's power. */
  "account_tokens:manage",
  /** Sign out your sessions. */
  "account_sessions:manage",
  /** Accept or decline invitations addressed to you. */
  "account_invitations:manage",
  /** Create top-level organizations (you become owner). */
  "organizations:create",
] as const;

export const SCOPES = [...ORG_SCOPES, ...ACCOUNT_SCOPES] as const;
export type Scope = (typeof SCOPES)[number];
export type AccountScope = (typeof ACCOUNT_SCOPES)[number];

export const ROLES = ["owner", "admin", "member", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const READ: Scope[] = ["organizations:read", "members:read", "resources:read", "conversations:read"];
const USE: Scope[] = ["resources:manage", "conversations:manage", "conversations:dial"];
const ADMIN: Scope[] = [
  "organizations:manage",
  "members:manage",
  "api_keys:manage",
  "billing:manage",
  "child_organizations:manage",
  "conversations:read_sensitive",
  "audit_log:read",
];

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  owner: [...READ, ...USE, ...ADMIN, "organizations:delete"],
  admin: [...READ, ...USE, ...ADMIN],
  member: [...READ, ...USE],
  viewer: [...READ],
};

/** Scopes an org API key may never hold, whatever its creator's role (it has no account). */
export const API_KEY_FORBIDDEN: readonly Scope[] = ["organizations:delete", ...ACCOUNT_SCOPES];

/**
 * Account scopes a new PAT gets only when asked for by name: a PAT created without `scopes`
 * can read the account but never mint, revoke or sign out credentials, answer invitations
 * or create organizations.
 */
export const GRANTED_ONLY_BY_NAME: readonly Scope[] = ACCOUNT_SCOPES.filter((s) => s !== "account:read");

/** A scope that implies others (`members:manage` implies `members:read`, …). */
const IMPLIES: Partial<Record<Scope, Scope[]>> = {
  "members:manage": ["members:read"],
  "organizations:manage": ["organizations:read"],
  "resources:manage": ["resources:read"],
  "conversations:manage": ["conversations:read"],
  "conversations:read_sensitive": ["conversations:read"],
  "account_tokens:manage": ["account:read"],
  "account_sessions:manage": ["account:read"],
  "account_invitations:manage": ["account:read"],
};

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

export function isAccountScope(v: string): v is AccountScope {
  return (ACCOUNT_SCOPES as readonly string[]).includes(v);
}

/**
 * The account scopes a credential holds: a session (the signed-in user) all of them, a PAT
 * those it was created with (old PATs, made before account scopes existed, hold none), an org
 * API key none.
 */
export function accountScopesOf(
  credential: { kind: "session" } | { kind: "pat"; scopes: readonly Scope[] } | { kind: "api_key" },
): Set<Scope> {
  if (credential.kind === "session") return new Set(ACCOUNT_SCOPES);
  if (credential.kind === "api_key") return new Set();
  return new Set([...withImplied(credential.scopes)].filter(isAccountScope));
}

export function isScope(v: string): v is Scope {
  return (SCOPES as readonly string[]).includes(v);
}

/** Role ids in canonical order; unknown ids are dropped (seed 004). */
export function normalizeRoles(input: readonly string[]): Role[] {
  return ROLES.filter((r) => input.includes(r));
}

export function parseRoles(stored: string): Role[] {
  return normalizeRoles(stored.split(","));
}

export function formatRoles(roles: readonly Role[]): string {
  return normalizeRoles(roles).join(",");
}

export function scopesOfRoles(roles: readonly Role[]): Set<Scope> {
  const out = new Set<Scope>();
  for (const r of roles) for (const s of ROLE_SCOPES[r]) out.add(s);
  return out;
}

export function withImplied(scopes: Iterable<Scope>): Set<Scope> {
  const out = new Set<Scope>();
  for (const s of scopes) {
    out.add(s);
    for (const i of IMPLIES[s] ?? []) out.add(i);
  }
  return out;
}

export function intersect(a: Set<Scope>, b: Iterable<Scope>): Set<Scope> {
  const out = new Set<Scope>();
  for (const s of b) if (a.has(s)) out.add(s);
  return out;
}

/** Canonical ordering for responses. */
export function sortScopes(scopes: Iterable<Scope>): Scope[] {
  const set = new Set(scopes);
  return SCOPES.filter((s) => set.has(s));
}
