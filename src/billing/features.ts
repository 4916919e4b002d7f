import type { Db } from "../db/client";
import { PLAN_IDS } from "../db/schema";
import { selfOrAncestorOnPlan } from "../db/tree";
import { AppError } from "../lib/errors";
import { type Feature, PLANS } from "./plans";

/** The plans that include a feature, from the catalogue. */
export const plansWith = (feature: Feature) => PLAN_IDS.filter((id) => PLANS[id].features.includes(feature));

/**
 * Refuses (403 `plan_required`) unless the org or one of its ancestors is itself on a plan
 * with `feature` — so an agency's clients and their clients may use what the agency's plan
 * includes (creating child organizations: `client_management`).
 */
export async function requireFeature(db: Db, orgId: string, feature: Feature): Promise<void> {
  const plans = plansWith(feature);
  if (await selfOrAncestorOnPlan(db, orgId, plans)) return;
  const names = plans.map((p) => PLANS[p].name).join(" or ");
  throw new AppError("plan_required", `This needs the ${names} plan (on this organization or one above it).`);
}
