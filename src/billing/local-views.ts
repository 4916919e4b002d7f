import type { LocalCheckout } from "./local-checkout";

/** Every interpolated value goes through here. */
export function esc(v: unknown): string {
  return String(v).replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
  `<meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}` +
  `.note{color:#666;font-size:.9em}button{font-size:1rem;padding:.5rem 1.5rem}</style></head>` +
  `<body><p class="note">Local billing provider (development): no money moves.</p>${body}</body></html>`;

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

function what(s: LocalCheckout): string {
  if (s.mode === "subscription") return `The ${s.plan ?? "?"} plan (subscription)`;
  return `A balance top-up of ${s.amountCents === null ? "?" : dollars(s.amountCents)}`;
}

/**
 * The checkout page. The "Pay" button posts JSON to this same URL (every route of the API
 * takes JSON bodies only: src/http/limits.ts), then shows the answer.
 */
export function checkoutPage(s: LocalCheckout): string {
  if (s.paid) return paidPage(s);
  return page(
    "Checkout",
    `<h1>Checkout</h1><p>Organization: <strong>${esc(s.orgName)}</strong></p><p>${esc(what(s))}</p>` +
      `<form id="pay" method="post"><button type="submit">Pay</button></form>` +
      `<script>document.getElementById("pay").addEventListener("submit",async(e)=>{e.preventDefault();` +
      `const r=await fetch(location.href,{method:"POST",headers:{"content-type":"application/json"},body:"{}"});` +
      `document.open();document.write(await r.text());document.close();});</script>`,
  );
}

export function paidPage(s: LocalCheckout): string {
  return page(
    "Paid",
    `<h1>Payment complete</h1><p>Organization: <strong>${esc(s.orgName)}</strong></p><p>${esc(what(s))}</p>`,
  );
}

export function portalPage(p: { customerId: string; returnUrl: string }): string {
  return page(
    "Billing portal",
    `<h1>Billing portal</h1><p>Customer <code>${esc(p.customerId)}</code>: no payment methods or invoices ` +
      `are kept by the local provider.</p><p><a href="${esc(p.returnUrl)}">Back</a></p>`,
  );
}
