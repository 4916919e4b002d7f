import { and, eq } from "drizzle-orm";
import { billingFor } from "../adapters/billing";
import type { Db } from "../db/client";
import { localBillingObjects, organizations } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { applyEvent, objectOfSubscription, priceFor } from "./events";

/** What a local Checkout session buys, for its page. */
export type LocalCheckout = {
  id: string;
  orgName: string;
  mode: "subscription" | "payment";
  plan: "smb" | "agency" | null;
  amountCents: number | null;
  paid: boolean;
};

async function objectOf(db: Db, kind: "checkout_session" | "portal_session", id: string) {
  const row = (
    await db
      .select()
      .from(localBillingObjects)
      .where(and(eq(localBillingObjects.id, id), eq(localBillingObjects.kind, kind)))
      .limit(1)
  )[0];
  if (!row) throw new AppError("not_found", "No such local billing session.");
  return row;
}

async function orgName(db: Db, orgId: unknown): Promise<string> {
  if (typeof orgId !== "string") return "(unknown organization)";
  const org = (await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)))[0];
  return org?.name ?? "(deleted organization)";
}

export async function localCheckoutOf(db: Db, id: string): Promise<LocalCheckout> {
  const { data } = await objectOf(db, "checkout_session", id);
  const plan = data.plan === "smb" || data.plan === "agency" ? data.plan : null;
  return {
    id,
    orgName: await orgName(db, data.orgId),
    mode: data.mode === "subscription" ? "subscription" : "payment",
    plan,
    amountCents: typeof data.amountCents === "number" ? data.amountCents : null,
    paid: data.status === "complete",
  };
}

/**
 * "Pay": completes a local Checkout session through the very path a Stripe webhook takes —
 * the same event shapes, applied by `applyEvent` under event ids fixed per session, so
 * paying twice books once. A subscription checkout makes its subscription first (one per
 * session, by idempotency key) and announces it as Stripe does (`customer.subscription.created`).
 */
export async function payLocalCheckout(env: Env, db: Db, id: string): Promise<LocalCheckout> {
  const row = await objectOf(db, "checkout_session", id);
  const data = row.data;
  const orgId = typeof data.orgId === "string" ? data.orgId : null;
  const customerId = typeof data.customerId === "string" ? data.customerId : null;
  if (!orgId || !customerId) throw new AppError("not_found", "No such local billing session.");
  const created = Math.floor(Date.now() / 1000);
  const session: Record<string, unknown> = {
    id,
    object: "checkout.session",
    customer: customerId,
    mode: data.mode,
    status: "complete",
    payment_status: "paid",
    metadata:
      data.mode === "payment"
        ? { org_id: orgId, kind: "top_up", amount_cents: String(data.amountCents) }
        : { org_id: orgId, kind: "subscription", plan: data.plan },
  };
  if (data.mode === "payment") session.amount_total = data.amountCents;
  if (data.mode === "subscription") {
    const plan = data.plan === "smb" || data.plan === "agency" ? data.plan : null;
    const priceId = plan ? priceFor(env, plan) : null;
    if (!plan || !priceId) throw new AppError("not_found", "No such local billing session.");
    const sub = await billingFor(env, db).startSubscription(
      { orgId, customerId, plan, priceId },
      `checkout:${id}:subscription`,
    );
    session.subscription = sub.id;
    await applyEvent(env, db, {
      id: `evt_local_${id}_completed`,
      type: "checkout.session.completed",
      created,
      data: { object: session },
    });
    await applyEvent(env, db, {
      id: `evt_local_${id}_subscription`,
      type: "customer.subscription.created",
      created,
      data: { object: objectOfSubscription(sub) },
    });
  } else {
    await applyEvent(env, db, {
      id: `evt_local_${id}_completed`,
      type: "checkout.session.completed",
      created,
      data: { object: session },
    });
  }
  await db
    .update(localBillingObjects)
    .set({ data: { ...data, status: "complete" } })
    .where(eq(localBillingObjects.id, id));
  return { ...(await localCheckoutOf(db, id)), paid: true };
}

export async function localPortalOf(db: Db, id: string): Promise<{ customerId: string; returnUrl: string }> {
  const { data } = await objectOf(db, "portal_session", id);
  return { customerId: String(data.customerId ?? ""), returnUrl: String(data.returnUrl ?? "") };
}
