import { z } from "@hono/zod-openapi";
import {
  LEDGER_KINDS,
  PLAN_IDS,
  SUBSCRIPTION_STATUSES,
  type LedgerEntryRow,
  type OrganizationRow,
  type PlanId,
} from "../db/schema";
import type { Env } from "../env";
import { iso } from "../lib/dates";
import { PLANS, type Plan } from "./plans";
import type { BillingState } from "./queries";

const Money = z.object({ amount_cents: z.number().int(), currency: z.string() }).openapi("Money");

export const PlanSchema = z
  .object({
    id: z.enum(PLAN_IDS),
    name: z.string(),
    concurrency_limit: z.number().int(),
    rates: z.object({
      voice_cents_per_minute: z.number().int(),
      chat_cents_per_minute: z.number().int(),
    }),
    monthly_price_cents: z.number().int().nullable().openapi({ description: "null: negotiated (contact sales)" }),
    features: z.array(z.enum(["client_management", "white_label"])),
    prepaid: z.boolean().openapi({ description: "Charges debit the balance; calls stop at zero" }),
    checkout: z.boolean().openapi({ description: "Can be bought with POST /admin/billing/checkout" }),
    current: z.boolean().openapi({ description: "The plan in force for this organization" }),
  })
  .openapi("Plan");

export function planView(p: Plan, current: PlanId) {
  return {
    id: p.id,
    name: p.name,
    concurrency_limit: p.concurrencyLimit,
    rates: { voice_cents_per_minute: p.rates.voiceCentsPerMinute, chat_cents_per_minute: p.rates.chatCentsPerMinute },
    monthly_price_cents: p.monthlyPriceCents,
    features: [...p.features],
    prepaid: p.prepaid,
    checkout: p.checkout,
    current: p.id === current,
  };
}

export const plansView = (current: PlanId) => Object.values(PLANS).map((p) => planView(p, current));

export const BillingSchema = z
  .object({
    plan: z.enum(PLAN_IDS).openapi({ description: "The plan in force: the payer's, for a child billed to its parent" }),
    status: z.enum(SUBSCRIPTION_STATUSES),
    trial_ends_at: z.string().nullable(),
    cancel_at_period_end: z.boolean(),
    current_period_end: z.string().nullable(),
    balance: Money.openapi({ description: "This organization's own balance (the sum of its ledger)" }),
    concurrency_limit: z.number().int(),
    billing_email: z.string().nullable(),
    billing_address: z.record(z.string(), z.string()).nullable(),
    billing_mode: z.enum(["own", "parent"]),
    payer: z
      .object({ id: z.string(), name: z.string(), slug: z.string(), self: z.boolean() })
      .openapi({ description: "The organization whose balance pays this one's charges" }),
    provider: z.enum(["local", "stripe"]),
    stripe_customer_id: z.string().nullable(),
  })
  .openapi("Billing");

/**
 * What an org's billing looks like to its own members. A child billed to its parent sees
 * the plan in force and who pays, but not the payer's balance or subscription dates.
 */
export function billingView(env: Env, org: OrganizationRow, s: BillingState) {
  const self = s.payer.id === org.id;
  const subscription = s.payer.account;
  const provider = s.account.provider === "stripe" || env.BILLING_PROVIDER === "stripe" ? "stripe" : "local";
  return {
    plan: subscription.plan,
    status: subscription.status,
    trial_ends_at: self && subscription.trialEndsAt !== null ? iso(subscription.trialEndsAt) : null,
    cancel_at_period_end: self ? subscription.cancelAtPeriodEnd : false,
    current_period_end: self && subscription.currentPeriodEnd !== null ? iso(subscription.currentPeriodEnd) : null,
    balance: { amount_cents: s.account.balanceCents, currency: s.account.currency },
    concurrency_limit: org.concurrencyLimit,
    billing_email: org.billingEmail,
    billing_address: (org.billingAddress as Record<string, string> | null) ?? null,
    billing_mode: org.billingMode,
    payer: { id: s.payer.id, name: s.payer.name, slug: s.payer.slug, self },
    provider,
    stripe_customer_id: provider === "stripe" ? s.account.customerId : null,
  } as const;
}

export const LedgerEntrySchema = z
  .object({
    id: z.string(),
    kind: z.enum(LEDGER_KINDS),
    amount: Money.openapi({ description: "Signed: credits positive, charges negative" }),
    balance_after_cents: z.number().int().openapi({ description: "The running balance after this entry" }),
    description: z.string(),
    source_org_id: z.string().nullable().openapi({ description: "The org whose usage a charge is (a client)" }),
    call_id: z.string().nullable().openapi({ description: "The call a usage charge comes from" }),
    usage_event_key: z.string().nullable().openapi({ description: "The usage record a charge comes from" }),
    created_at: z.string(),
  })
  .openapi("LedgerEntry");

export function ledgerEntryView(e: LedgerEntryRow, currency: string) {
  const key = e.usageEventKey;
  return {
    id: e.id,
    kind: e.kind,
    amount: { amount_cents: e.amountCents, currency },
    balance_after_cents: e.balanceAfterCents ?? 0,
    description: e.description,
    source_org_id: e.sourceOrgId,
    call_id: key?.startsWith("call:") ? key.slice("call:".length) : null,
    usage_event_key: key,
    created_at: iso(e.createdAt),
  };
}
