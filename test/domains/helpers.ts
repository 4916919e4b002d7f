import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, type CallOptions } from "../harness";

/** A request with an explicit Host header (vitest-pool-workers does not set it from the URL). */
export const onHost = (host: string, method: string, path: string, opts: CallOptions = {}) =>
  call(method, path, { ...opts, headers: { ...opts.headers, host } });

/** Sets what the local resolver answers (POST /dev/dns), as a developer would. */
export async function setDns(name: string, value: string | null, type = "TXT") {
  const res = await call("POST", "/dev/dns", { body: { type, name, value } });
  expect(res.status).toBe(200);
}

/** Claims `domain` for the caller's org and makes it active through the local resolver. */
export async function activeDomain(token: string, org: string, domain: string) {
  const put = await call("PUT", "/admin/organization/domain", { token, org, body: { domain } });
  expect(put.status).toBe(200);
  const [record] = put.json.verification;
  await setDns(record.name, record.value);
  const verified = await call("POST", "/admin/organization/domain/verify", { token, org });
  expect(verified.json.status).toBe("active");
  return verified.json;
}

/** Puts a domain row's clock back so the cron sees it as due (and, optionally, pending for long). */
export async function makeDue(domain: string, opts: { pendingForMs?: number } = {}) {
  const now = Date.now();
  await env.DB.prepare(
    "UPDATE org_domains SET next_check_at = 0, pending_since = COALESCE(?, pending_since) WHERE domain = ?",
  )
    .bind(opts.pendingForMs === undefined ? null : now - opts.pendingForMs, domain)
    .run();
}

export const domainRow = (domain: string) =>
  env.DB.prepare("SELECT * FROM org_domains WHERE domain = ?").bind(domain).first<Record<string, unknown>>();
