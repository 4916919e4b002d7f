import { newRouter } from "../http/openapi";
import { partnerOrgRoutes } from "./org-routes";
import { partnerMemberRoutes } from "./member-routes";
import { partnerUsageRoutes } from "./usage-route";

/**
 * The partner console of seed 004: nine routes under /admin/partner-console. Every route: an
 * authenticated caller holding `child_organizations:manage`, acting on its own org (from
 * the credential) or a descendant of it (see subtree.ts).
 */
export const partnerRoutes = newRouter()
  .route("/", partnerOrgRoutes)
  .route("/", partnerMemberRoutes)
  .route("/", partnerUsageRoutes);
