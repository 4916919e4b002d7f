import { newRouter } from "../http/openapi";
import { partnerOrgRoutes } from "./org-routes";
import { partnerMemberRoutes } from "./member-routes";
import { partnerUsageRoutes } from "./usage-route";
import { partnerChildRoutes } from "./child-routes";
import { partnerBillingRoutes } from "./billing-routes";

/**
 * The partner console: the nine routes of seed 004 under /admin/partner-console, and what a
 * partner does to an org below its own (child-routes.ts: hand over ownership, delete,
 * suspend, resume; billing-routes.ts: who pays for it). Every route: an authenticated caller holding `child_organizations:manage`,
 * acting on its own org (from the credential) or a descendant of it (see subtree.ts).
 */
export const partnerRoutes = newRouter()
  .route("/", partnerOrgRoutes)
  .route("/", partnerMemberRoutes)
  .route("/", partnerUsageRoutes)
  .route("/", partnerChildRoutes)
  .route("/", partnerBillingRoutes);
