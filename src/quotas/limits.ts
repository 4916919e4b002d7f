import { type Env, positiveVar } from "../env";

/**
 * The abuse ceilings (README, "Security and limits"), each a `[vars]` setting of wrangler.toml
 * with the default below. Counted quotas answer 403 `quota_exceeded`; the mail cap is a rate
 * (429 `rate_limited` with Retry-After).
 *
 * Organization quotas count the top-level organizations a user created that still exist.
 * Child organizations (created with parent_id, the partner console) never count: a client
 * tree is limited by its plan, not by the person who happens to create the clients. Every
 * organization is on the free plan today, so the free-plan cap is the one that binds; once
 * paid plans exist, an organization on one counts only against the top-level cap.
 */
export type Limits = {
  /** MAX_TOP_LEVEL_ORGS_PER_USER: top-level organizations one user may have created. */
  topLevelOrgsPerUser: number;
  /** MAX_FREE_ORGS_PER_USER: of those, on the free plan (each free org may run one call at once). */
  freeOrgsPerUser: number;
  /** MAX_PENDING_INVITATIONS_PER_ORG: unexpired pending invitations of one organization. */
  pendingInvitationsPerOrg: number;
  /** MAX_API_KEYS_PER_ORG: active (unrevoked, unexpired) API keys of one organization. */
  apiKeysPerOrg: number;
  /** MAX_PATS_PER_USER: active personal access tokens of one user. */
  patsPerUser: number;
  /** EMAILS_PER_RECIPIENT_PER_DAY: invitation e-mails one address receives in 24 hours, from all organizations. */
  emailsPerRecipientPerDay: number;
};

export const DEFAULT_LIMITS: Limits = {
  topLevelOrgsPerUser: 10,
  freeOrgsPerUser: 3,
  pendingInvitationsPerOrg: 50,
  apiKeysPerOrg: 25,
  patsPerUser: 25,
  emailsPerRecipientPerDay: 10,
};

export function limitsOf(env: Env): Limits {
  const d = DEFAULT_LIMITS;
  return {
    topLevelOrgsPerUser: positiveVar(env.MAX_TOP_LEVEL_ORGS_PER_USER, d.topLevelOrgsPerUser),
    freeOrgsPerUser: positiveVar(env.MAX_FREE_ORGS_PER_USER, d.freeOrgsPerUser),
    pendingInvitationsPerOrg: positiveVar(env.MAX_PENDING_INVITATIONS_PER_ORG, d.pendingInvitationsPerOrg),
    apiKeysPerOrg: positiveVar(env.MAX_API_KEYS_PER_ORG, d.apiKeysPerOrg),
    patsPerUser: positiveVar(env.MAX_PATS_PER_USER, d.patsPerUser),
    emailsPerRecipientPerDay: positiveVar(env.EMAILS_PER_RECIPIENT_PER_DAY, d.emailsPerRecipientPerDay),
  };
}
