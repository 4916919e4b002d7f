import { createOrg, uniq, type tenant } from "../harness";

/**
 * Creates one object of each kind in the victim org so routes that address objects by
 * id can be tried against it. Capabilities add their objects here (and to routes.ts).
 */
export async function buildVictimObjects(a: Awaited<ReturnType<typeof tenant>>): Promise<Record<string, string>> {
  // Partner console: a child of A, which no other tenant's subtree contains.
  const child = await createOrg(a.owner, { parentId: a.org.id, slug: uniq("victim-child-") });
  return { childOrg: child.id, childOrgSlug: child.slug };
}
