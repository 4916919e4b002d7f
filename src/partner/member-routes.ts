import { newRouter } from "../http/openapi";
import type { Mount } from "../members/target-guards";
import { memberRoutesFor } from "../members/target-routes";
import { invitationRoutesFor } from "../invitations/target-routes";
import { ChildParam } from "./schemas";
import { childOrg } from "./subtree";

/**
 * A child's members and invitations, administered from a parent: the in-org routes
 * (/admin/members, /admin/invitations) mounted on `{child_id}`, authorised by the subtree
 * check and `child_organizations:manage` instead of membership of the child. Changes are
 * audited in the child's log with the partner's credential as the actor.
 */
const tags = ["partner console"];
const child: Mount = {
  prefix: "/admin/partner-console/organizations/{child_id}",
  params: ChildParam,
  guard: childOrg,
};

export const partnerMemberRoutes = newRouter()
  .route(
    "/",
    memberRoutesFor({
      ...child,
      tags,
      docs: {
        list: { summary: "Members of an org in your subtree (oldest first)" },
        setRoles: { summary: "Set a child member's roles; unrecognised role ids are dropped" },
        remove: { summary: "Remove a member from a child (never its owner); the user account stays" },
      },
    }),
  )
  .route(
    "/",
    invitationRoutesFor({
      ...child,
      tags,
      docs: {
        list: { summary: "Invitations of a child (default: pending), newest first" },
        create: { summary: "Invite a user to a child by e-mail; asking again for a pending e-mail resends it (200)" },
      },
    }),
  );
