import type { Env } from "../env";
import { AppError } from "../lib/errors";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** `Host` header → the bare lower-case host name (port and a trailing dot dropped), or null. */
export function hostOf(header: string | undefined | null): string | null {
  if (!header) return null;
  let h = header.trim().toLowerCase();
  if (h.startsWith("[")) return null; // an IPv6 literal: never a custom domain
  const colon = h.lastIndexOf(":");
  if (colon >= 0) h = h.slice(0, colon);
  if (h.endsWith(".")) h = h.slice(0, -1);
  // An IPv4 literal is never a custom domain either.
  if (/^[\d.]+$/.test(h)) return null;
  return h.length > 0 && h.length <= 253 ? h : null;
}

/** A product-host pattern: `example.com` matches itself and its subdomains; `*.example.com` the same. */
function patternsOf(env: Env): string[] {
  const configured = (env.PRODUCT_HOSTS ?? "127.0.0.1,localhost,*.workers.dev").split(",");
  let appHost: string | null = null;
  try {
    appHost = new URL(env.APP_URL).hostname.toLowerCase();
  } catch {
    appHost = null;
  }
  return [...configured, ...(appHost ? [appHost] : [])]
    .map((p) => p.trim().toLowerCase().replace(/^\*\./, ""))
    .filter((p) => p.length > 0);
}

let memo: { key: string; patterns: string[] } | undefined;

/** Whether `host` is one of the product's own hosts (APP_URL's, PRODUCT_HOSTS) or a subdomain of one. */
export function isProductHost(env: Env, host: string): boolean {
  const key = `${env.PRODUCT_HOSTS ?? ""}|${env.APP_URL}`;
  if (memo?.key !== key) memo = { key, patterns: patternsOf(env) };
  return memo.patterns.some((p) => host === p || host.endsWith(`.${p}`));
}

const invalid = (message: string) =>
  new AppError("unprocessable", `Not a usable domain: ${message}.`, { errors: [{ field: "domain", message }] });

/**
 * A customer's domain as stored: lower case, IDN as punycode (`bücher.example` →
 * `xn--bcher-kva.example`), at least two labels, no IP address, no wildcard, port or path, and
 * never the product's own hosts or their subdomains. Anything else is 422.
 */
export function normalizeDomain(env: Env, input: string): string {
  const raw = input.trim().replace(/\.$/, "");
  if (raw.length === 0) throw invalid("empty");
  if (/[\s/\\?#@:[\]*%]/.test(raw)) throw invalid("a bare host name, without scheme, port, path or wildcard");
  let host: string;
  try {
    host = new URL(`http://${raw}`).hostname.toLowerCase();
  } catch {
    throw invalid("not a valid host name");
  }
  if (host.length > 253) throw invalid("longer than 253 characters");
  const labels = host.split(".");
  if (labels.length < 2) throw invalid("a fully qualified name, e.g. app.example.com");
  if (!labels.every((l) => LABEL.test(l))) throw invalid("each label 1–63 letters, digits or hyphens");
  if (/^\d+$/.test(labels[labels.length - 1] ?? "")) throw invalid("an IP address cannot be a custom domain");
  if (isProductHost(env, host)) throw invalid("the product's own hosts and their subdomains cannot be claimed");
  return host;
}
