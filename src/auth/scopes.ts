/**
 * The scope catalogue and the role → scope mapping. This module is the only place
 * that knows which role may do what.
 */
export const SCOPES = [
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
export type Scope = (typeof SCOPES)[number];

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

/** Scopes an org API key may never hold, whatever its creator's role. */
export const API_KEY_FORBIDDEN: readonly Scope[] = ["organizations:delete"];

/** A scope that implies others (`members:manage` implies `members:read`, …). */
const IMPLIES: Partial<Record<Scope, Scope[]>> = {
  "members:manage": ["members:read"],
  "organizations:manage": ["organizations:read"],
  "resources:manage": ["resources:read"],
  "conversations:manage": ["conversations:read"],
  "conversations:read_sensitive": ["conversations:read"],
};

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
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
