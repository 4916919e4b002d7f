import type { PlanId } from "../db/schema";
import type { Env } from "../env";

export type Feature = "client_management" | "white_label";

export type Plan = {
  id: PlanId;
  name: string;
  /** Simultaneous calls an org on this plan may run. */
  concurrencyLimit: number;
  /** Cents per started minute. */
  rates: { voiceCentsPerMinute: number; chatCentsPerMinute: number };
  /** The subscription fee, cents a month (0: usage only; null: negotiated). */
  monthlyPriceCents: number | null;
  features: readonly Feature[];
  /** Prepaid plans debit the balance and stop calls at zero; an invoiced one never stops. */
  prepaid: boolean;
  /** Bought through Checkout (enterprise is arranged with sales; free is where everyone starts). */
  checkout: boolean;
  /** Rank for upgrade/downgrade. */
  rank: number;
};

/**
 * The one catalogue of plans (DESIGN.md "Billing and usage"). Limits and rates live here;
 * Stripe price ids come from configuration (`priceIdOf`).
 */
export const PLANS: Readonly<Record<PlanId, Plan>> = {
  free: {
    id: "free",
    name: "Free trial",
    concurrencyLimit: 1,
    rates: { voiceCentsPerMinute: 12, chatCentsPerMinute: 2 },
    monthlyPriceCents: 0,
    features: [],
    prepaid: true,
    checkout: false,
    rank: 0,
  },
  smb: {
    id: "smb",
    name: "SMB",
    concurrencyLimit: 5,
    rates: { voiceCentsPerMinute: 10, chatCentsPerMinute: 2 },
    monthlyPriceCents: 0,
    features: [],
    prepaid: true,
    checkout: true,
    rank: 1,
  },
  agency: {
    id: "agency",
    name: "Agency",
    concurrencyLimit: 20,
    rates: { voiceCentsPerMinute: 8, chatCentsPerMinute: 1 },
    monthlyPriceCents: 125_000,
    features: ["client_management", "white_label"],
    prepaid: true,
    checkout: true,
    rank: 2,
  },
  enterprise: {
    id: "enterprise",
    name: "Enterprise",
    // The operator sets an enterprise customer's limit (billing_accounts.concurrency_override).
    concurrencyLimit: 50,
    rates: { voiceCentsPerMinute: 6, chatCentsPerMinute: 1 },
    monthlyPriceCents: null,
    features: ["client_management", "white_label"],
    prepaid: false,
    checkout: false,
    rank: 3,
  },
};

/**
 * A new org's free trial: how long it lasts and the credit its ledger starts with. Part of
 * the catalogue (not an env var) because it is written with the org, in its creation batch.
 */
export const FREE_TRIAL = { days: 14, creditCents: 500 } as const;

/** Bounds of one top-up, in cents. */
export const TOP_UP_CENTS = { min: 500, max: 1_000_000 } as const;

export const planOf = (id: string): Plan => PLANS[id as PlanId] ?? PLANS.free;

export const hasFeature = (plan: PlanId, feature: Feature): boolean => PLANS[plan].features.includes(feature);

/** The Stripe price of a plan (STRIPE_PRICE_<PLAN>), or null when none is configured. */
export function priceIdOf(env: Env, plan: PlanId): string | null {
  const byPlan: Record<PlanId, string | undefined> = {
    free: env.STRIPE_PRICE_FREE,
    smb: env.STRIPE_PRICE_SMB,
    agency: env.STRIPE_PRICE_AGENCY,
    enterprise: undefined,
  };
  return byPlan[plan] || null;
}

/** The plan whose Stripe price this is (webhooks name prices, not plans). */
export function planOfPrice(env: Env, priceId: string | null | undefined): PlanId | null {
  if (!priceId) return null;
  for (const id of ["free", "smb", "agency"] as const) if (priceIdOf(env, id) === priceId) return id;
  return null;
}
