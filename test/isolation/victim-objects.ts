import type { tenant } from "../harness";

/**
 * Creates one object of each kind in the victim org so routes that address objects by
 * id can be tried against it. Capabilities add their objects here (and to routes.ts).
 */
export async function buildVictimObjects(_a: Awaited<ReturnType<typeof tenant>>): Promise<Record<string, string>> {
  return {};
}
