import { z } from "@hono/zod-openapi";
import { ORG_STATUSES, type OrganizationRow } from "../db/schema";

/** Who owns an organization: one of its members, or (a child) its parent organization. */
export const OwnerSchema = z
  .object({
    type: z.enum(["user", "organization"]),
    id: z.string().openapi({ description: "The owning user's id, or the owning (parent) organization's id" }),
  })
  .openapi("Owner");

export type OwnerView = z.infer<typeof OwnerSchema>;

export function ownerOf(o: Pick<OrganizationRow, "ownerUserId" | "ownerOrgId">): OwnerView {
  return o.ownerOrgId ? { type: "organization", id: o.ownerOrgId } : { type: "user", id: o.ownerUserId ?? "" };
}

export const OrganizationSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    parent_id: z.string().nullable(),
    owner: OwnerSchema,
    status: z.enum(ORG_STATUSES).openapi({ description: "`suspended` is set and cleared by a partner above the org" }),
    avatar_url: z.string().nullable(),
    billing_email: z.string().nullable(),
    billing_address: z.record(z.string(), z.string()).nullable(),
    phone_numbers: z.array(z.string()),
    plan: z.string(),
    concurrency_limit: z.number().int(),
    domain: z.string().nullable(),
    domain_setup_status: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Organization");

export type OrganizationView = z.infer<typeof OrganizationSchema>;

export function toOrganizationView(o: OrganizationRow): OrganizationView {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    parent_id: o.parentId,
    owner: ownerOf(o),
    status: o.status,
    avatar_url: o.avatarUrl,
    billing_email: o.billingEmail,
    billing_address: (o.billingAddress as Record<string, string> | null) ?? null,
    phone_numbers: o.phoneNumbers ?? [],
    plan: o.plan,
    concurrency_limit: o.concurrencyLimit,
    domain: o.domain,
    domain_setup_status: o.domainSetupStatus,
    created_at: new Date(o.createdAt).toISOString(),
    updated_at: new Date(o.updatedAt).toISOString(),
  };
}
