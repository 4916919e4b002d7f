import type { PublicBranding } from "./service";

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"'`]/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" })[ch] ?? ch,
  );
}

/** A colour only when it is exactly #rrggbb (the API validates it; this is the last line). */
const colour = (c: string | null, fallback: string) => (c && /^#[0-9a-f]{6}$/i.test(c) ? c : fallback);
const httpsUrl = (u: string | null) => (u && /^https:\/\//i.test(u) ? u : null);

/**
 * Headers of the sign-in page: the page may talk only to its own origin, show https images and
 * never be framed (clickjacking); its one inline script and style are ours.
 */
export const SIGN_IN_PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src https:; " +
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** A custom host that is not (or no longer) an active domain: names nothing and nobody. */
export const NOT_FOUND_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title>' +
  '<meta name="robots" content="noindex"></head><body><h1>Not found</h1>' +
  "<p>There is nothing at this address.</p></body></html>";

/**
 * The branded sign-in page of an active custom domain: the passwordless API (POST
 * /auth/email/start, then /verify) from a small script; on success the session token and this
 * org's id are kept in localStorage, and API calls on this host act on this org by default.
 */
export function signInPage(b: PublicBranding): string {
  const name = escapeHtml(b.display_name ?? "Sign in");
  const primary = colour(b.primary_color, "#1f2937");
  const accent = colour(b.accent_color, "#2563eb");
  const logo = httpsUrl(b.logo_url);
  const icon = httpsUrl(b.icon_url);
  const support = b.support_email
    ? `<p class="s">Help: <a href="mailto:${escapeHtml(b.support_email)}">${escapeHtml(b.support_email)}</a></p>`
    : "";
  const product = b.product_name ? `<p class="s">Powered by ${escapeHtml(b.product_name)}</p>` : "";
  // The org id goes into the script as a JSON string literal, escaped for a <script> block.
  const orgJson = JSON.stringify(b.organization_id).replace(/</g, "\\u003c");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${name}</title>${icon ? `<link rel="icon" href="${escapeHtml(icon)}">` : ""}
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f5f5f5;color:#111}
header{background:${primary};color:#fff;padding:1rem 1.5rem;display:flex;gap:.75rem;align-items:center}
header img{height:2rem}main{max-width:24rem;margin:3rem auto;background:#fff;padding:1.5rem;border-radius:.5rem}
input{width:100%;padding:.5rem;margin:.25rem 0 1rem;box-sizing:border-box}
button{background:${accent};color:#fff;border:0;padding:.6rem 1rem;border-radius:.3rem;cursor:pointer}
.s{color:#555;font-size:.85rem}[hidden]{display:none}</style></head>
<body><header>${logo ? `<img src="${escapeHtml(logo)}" alt="">` : ""}<strong>${name}</strong></header>
<main><h1>Sign in to ${name}</h1>
<form id="start"><label>E-mail<input name="email" type="email" required autocomplete="email"></label>
<button>Send me a code</button></form>
<form id="verify" hidden><label>Code from the e-mail<input name="code" inputmode="numeric" pattern="[0-9]{6}" required></label>
<button>Sign in</button></form>
<p id="msg" role="status"></p>${support}${product}</main>
<script>
const ORG = ${orgJson};
const $ = (id) => document.getElementById(id);
let email = "";
async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.detail || "Something went wrong.");
  return j;
}
$("start").addEventListener("submit", async (e) => {
  e.preventDefault();
  email = new FormData(e.target).get("email");
  try { await post("/auth/email/start", { email }); $("start").hidden = true; $("verify").hidden = false;
    $("msg").textContent = "Check your e-mail for a six-digit code."; } catch (err) { $("msg").textContent = err.message; }
});
$("verify").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const j = await post("/auth/email/verify", { email, code: new FormData(e.target).get("code") });
    localStorage.setItem("anyreach_token", j.token);
    localStorage.setItem("anyreach_org", ORG);
    $("verify").hidden = true;
    $("msg").textContent = "Signed in. Your organization: " + ORG;
  } catch (err) { $("msg").textContent = err.message; }
});
</script></body></html>`;
}
