import { newRouter } from "../http/openapi";
import { localBillingOnly } from "./guards";
import { localCheckoutOf, localPortalOf, payLocalCheckout } from "./local-checkout";
import { checkoutPage, paidPage, portalPage } from "./local-views";

/**
 * The local billing provider's Checkout and portal pages (what Stripe hosts in production).
 * Not part of the API, so not in /openapi.json; development only.
 */
export const localBillingRoutes = newRouter();
localBillingRoutes.use("/billing/local/*", localBillingOnly());
localBillingRoutes.get("/billing/local/checkout/:id", async (c) =>
  c.html(checkoutPage(await localCheckoutOf(c.var.db, c.req.param("id").slice(0, 64)))),
);
localBillingRoutes.post("/billing/local/checkout/:id", async (c) =>
  c.html(paidPage(await payLocalCheckout(c.env, c.var.db, c.req.param("id").slice(0, 64)))),
);
localBillingRoutes.get("/billing/local/portal/:id", async (c) =>
  c.html(portalPage(await localPortalOf(c.var.db, c.req.param("id").slice(0, 64)))),
);
