import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { orgBranding, type OrgBrandingRow } from "../db/schema";
import { MAX_TREE_DEPTH } from "../db/tree";
import { AppError } from "../lib/errors";
import type { Actor } from "../auth/principal";
import { orgUpdatedStatement } from "../audit/log";
import { planOf } from "../billing/plans";
import { forgetSites } from "./site-cache";

/** The branding fields, in the API's names. */
export const BRANDING_FIELDS = [
  "display_name",
  "logo_url",
  "icon_url",
  "primary_color",
  "accent_color",
  "support_email",
  "hide_product_name",
] as const;
export type BrandingField = (typeof BRANDING_FIELDS)[number];

export type OwnBranding = {
  display_name: string | null;
  logo_url: string | null;
  icon_url: string | null;
  primary_color: string | null;
  accent_color: string | null;
  support_email: string | null;
  hide_product_name: boolean | null;
};

/** Per field: the value in force and the org it was taken from (null: nobody sets it, the default applies). */
export type EffectiveBranding = {
  [F in BrandingField]: { value: F extends "hide_product_name" ? boolean : string | null; org_id: string | null };
};

/** What a custom host shows: the effective values only (no ancestor is named). */
export type PublicBranding = {
  organization_id: string;
  product_name: string | null;
} & { [F in BrandingField]: F extends "hide_product_name" ? boolean : string | null };

export const PRODUCT_NAME = "Anyreach";

export const EMPTY_BRANDING: OwnBranding = {
  display_name: null,
  logo_url: null,
  icon_url: null,
  primary_color: null,
  accent_color: null,
  support_email: null,
  hide_product_name: null,
};

function ownOf(row: Partial<OrgBrandingRow> | undefined | null): OwnBranding {
  if (!row) return { ...EMPTY_BRANDING };
  return {
    display_name: row.displayName ?? null,
    logo_url: row.logoUrl ?? null,
    icon_url: row.iconUrl ?? null,
    primary_color: row.primaryColor ?? null,
    accent_color: row.accentColor ?? null,
    support_email: row.supportEmail ?? null,
    hide_product_name: row.hideProductName ?? null,
  };
}

type ChainRow = {
  id: string;
  depth: number;
  name: string;
  plan: string;
  display_name: string | null;
  logo_url: string | null;
  icon_url: string | null;
  primary_color: string | null;
  accent_color: string | null;
  support_email: string | null;
  hide_product_name: number | null;
};

/** The org and its ancestors, nearest first, each with its own branding (one D1 query). */
async function chainOf(db: Db, orgId: string): Promise<ChainRow[]> {
  return db.all<ChainRow>(sql`
    WITH RECURSIVE up(id, depth) AS (
      SELECT id, 0 FROM organizations WHERE id = ${orgId}
      UNION ALL
      SELECT o.parent_id, up.depth + 1 FROM organizations o JOIN up ON o.id = up.id
      WHERE o.parent_id IS NOT NULL AND up.depth < ${MAX_TREE_DEPTH}
    )
    SELECT up.id, up.depth, o.name, o.plan, b.display_name, b.logo_url, b.icon_url, b.primary_color,
           b.accent_color, b.support_email, b.hide_product_name
    FROM up JOIN organizations o ON o.id = up.id LEFT JOIN org_branding b ON b.org_id = up.id
    ORDER BY up.depth`);
}

/**
 * White-label inheritance: each field the org does not set comes from its nearest ancestor that
 * sets it. `display_name` falls back to the org's own name. `hide_product_name` holds only while
 * the org that set it is on a plan with `white_label` (agency, enterprise).
 */
export function effectiveOf(chain: readonly ChainRow[]): EffectiveBranding {
  const self = chain[0];
  const pick = (f: Exclude<BrandingField, "hide_product_name">) => {
    const hit = chain.find((r) => r[f] !== null && r[f] !== undefined);
    return { value: hit ? (hit[f] as string) : null, org_id: hit?.id ?? null };
  };
  const name = pick("display_name");
  const hider = chain.find((r) => r.hide_product_name !== null && r.hide_product_name !== undefined);
  const hides = !!hider && hider.hide_product_name === 1 && planOf(hider.plan).features.includes("white_label");
  return {
    display_name: name.value !== null ? name : { value: self?.name ?? null, org_id: self?.id ?? null },
    logo_url: pick("logo_url"),
    icon_url: pick("icon_url"),
    primary_color: pick("primary_color"),
    accent_color: pick("accent_color"),
    support_email: pick("support_email"),
    hide_product_name: { value: hides, org_id: hider?.id ?? null },
  };
}

export function publicOf(orgId: string, e: EffectiveBranding): PublicBranding {
  return {
    organization_id: orgId,
    product_name: e.hide_product_name.value ? null : PRODUCT_NAME,
    display_name: e.display_name.value,
    logo_url: e.logo_url.value,
    icon_url: e.icon_url.value,
    primary_color: e.primary_color.value,
    accent_color: e.accent_color.value,
    support_email: e.support_email.value,
    hide_product_name: e.hide_product_name.value,
  };
}

export async function brandingOf(db: Db, orgId: string): Promise<{ own: OwnBranding; effective: EffectiveBranding }> {
  const chain = await chainOf(db, orgId);
  const self = chain[0];
  return {
    own: self ? ownOf(rowOfChain(self)) : { ...EMPTY_BRANDING },
    effective: effectiveOf(chain),
  };
}

export async function effectiveBrandingOf(db: Db, orgId: string): Promise<EffectiveBranding> {
  return effectiveOf(await chainOf(db, orgId));
}

function rowOfChain(r: ChainRow): Partial<OrgBrandingRow> {
  return {
    displayName: r.display_name,
    logoUrl: r.logo_url,
    iconUrl: r.icon_url,
    primaryColor: r.primary_color,
    accentColor: r.accent_color,
    supportEmail: r.support_email,
    hideProductName: r.hide_product_name === null ? null : r.hide_product_name === 1,
  };
}

/**
 * Replaces the org's own branding (a field left out is inherited) with its audit entry, in one
 * batch. Hiding the product name needs a plan with white-label (403 plan_required).
 */
export async function setBranding(
  db: Db,
  org: { id: string; plan: string },
  input: Partial<OwnBranding>,
  actor: Actor,
): Promise<{ own: OwnBranding; effective: EffectiveBranding }> {
  if (input.hide_product_name === true && !planOf(org.plan).features.includes("white_label")) {
    throw new AppError("plan_required", "Hiding the product name is part of the agency and enterprise plans.");
  }
  const before = (await brandingOf(db, org.id)).own;
  const own: OwnBranding = { ...EMPTY_BRANDING, ...input };
  const values = {
    displayName: own.display_name,
    logoUrl: own.logo_url,
    iconUrl: own.icon_url,
    primaryColor: own.primary_color,
    accentColor: own.accent_color,
    supportEmail: own.support_email,
    hideProductName: own.hide_product_name,
    updatedAt: Date.now(),
  };
  await db.batch([
    db
      .insert(orgBranding)
      .values({ orgId: org.id, ...values })
      .onConflictDoUpdate({ target: orgBranding.orgId, set: values }),
    orgUpdatedStatement(db, org.id, actor, { branding: before }, { branding: own }),
  ]);
  forgetSites();
  return brandingOf(db, org.id);
}

/** Clears the org's own branding: every field is inherited again. */
export async function clearBranding(db: Db, orgId: string, actor: Actor): Promise<void> {
  const before = (await brandingOf(db, orgId)).own;
  await db.batch([
    db.delete(orgBranding).where(eq(orgBranding.orgId, orgId)),
    orgUpdatedStatement(db, orgId, actor, { branding: before }, { branding: EMPTY_BRANDING }),
  ]);
  forgetSites();
}
