import { eq } from "drizzle-orm";
import { orgBranding, orgDomains } from "../db/schema";
import { domainProviderFor } from "../adapters/domains";
import { makeDb } from "../db/client";
import type { OrgHooks } from "../orgs/lifecycle";
import { forgetSite, forgetSites } from "../branding/site-cache";

/**
 * Org deletion releases the domain (the org row that holds `organizations.domain` goes in the
 * same batch) and drops the org's branding; afterwards the provider lets the hostname go and
 * this isolate forgets the host.
 */
export const domainHooks: OrgHooks = {
  deletionStatements: (db, orgId) => [
    db.delete(orgDomains).where(eq(orgDomains.orgId, orgId)),
    db.delete(orgBranding).where(eq(orgBranding.orgId, orgId)),
  ],
  afterDeletion: async (env, org) => {
    forgetSites();
    if (!org.domain) return;
    forgetSite(org.domain);
    await domainProviderFor(env, makeDb(env.DB)).release({ domain: org.domain, providerRef: null });
  },
};
