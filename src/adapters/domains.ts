import { eq, and } from "drizzle-orm";
import type { Db } from "../db/client";
import { devDnsRecords } from "../db/schema";
import type { Env } from "../env";
import { providerFetch, providerTimeoutMs } from "./http";

/** The TXT record proving control of a domain (our own challenge, or the provider's). */
export type TxtRecord = { name: string; value: string };

/** What the provider answered about a domain. `reason` says why it is not active (yet). */
export type DomainCheck = { status: "active" | "pending" | "failed"; reason: string | null };

export type ClaimedDomain = { domain: string; txt: TxtRecord; providerRef: string | null };

/**
 * Verifies customers' domains. `register` is called once when a domain is claimed (it may
 * replace the TXT record the customer must create), `check` on every verification and cron
 * re-check, `release` when the domain is let go. Each is safe to call again.
 */
export interface DomainProvider {
  readonly name: string;
  register(domain: string, challenge: TxtRecord): Promise<{ txt: TxtRecord; providerRef: string | null }>;
  check(claim: ClaimedDomain): Promise<DomainCheck>;
  release(claim: { domain: string; providerRef: string | null }): Promise<void>;
}

/** TXT answers → the outcome of a DNS challenge. */
function txtOutcome(name: string, expected: string, values: string[]): DomainCheck {
  if (values.includes(expected)) return { status: "active", reason: null };
  if (values.length === 0) return { status: "failed", reason: `No TXT record found at ${name}.` };
  return { status: "failed", reason: `The TXT record at ${name} does not hold the expected value.` };
}

/** Development: answers from the dev_dns_records table (POST /dev/dns). Nothing leaves the machine. */
class LocalDomainProvider implements DomainProvider {
  readonly name = "local";
  constructor(private readonly db: Db) {}
  async register(_domain: string, challenge: TxtRecord) {
    return { txt: challenge, providerRef: null };
  }
  async check(claim: ClaimedDomain): Promise<DomainCheck> {
    const rows = await this.db
      .select({ value: devDnsRecords.value })
      .from(devDnsRecords)
      .where(and(eq(devDnsRecords.type, "TXT"), eq(devDnsRecords.name, claim.txt.name)));
    return txtOutcome(
      claim.txt.name,
      claim.txt.value,
      rows.map((r) => r.value),
    );
  }
  async release(): Promise<void> {}
}

type DohAnswer = { Status?: number; Answer?: { type?: number; data?: string }[] };

/** `"abc" "def"` (a TXT record split in strings) → `abcdef`. */
function txtData(data: string): string {
  const parts = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? "").replace(/\\(.)/g, "$1"));
  return parts.length > 0 ? parts.join("") : data;
}

/** DNS-over-HTTPS, JSON API (Cloudflare's and Google's `application/dns-json`), at DOH_URL. */
class DohDomainProvider implements DomainProvider {
  readonly name = "doh";
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}
  async register(_domain: string, challenge: TxtRecord) {
    return { txt: challenge, providerRef: null };
  }
  async check(claim: ClaimedDomain): Promise<DomainCheck> {
    const u = new URL(this.url);
    u.searchParams.set("name", claim.txt.name);
    u.searchParams.set("type", "TXT");
    const res = await providerFetch("The DNS resolver", this.timeoutMs, u, {
      headers: { accept: "application/dns-json" },
    });
    if (!res.ok) throw new Error(`DNS-over-HTTPS resolver answered ${res.status}`);
    const body = (await res.json()) as DohAnswer;
    // 3 = NXDOMAIN: the name does not exist, which is an answer too.
    if (body.Status !== 0 && body.Status !== 3) throw new Error(`DNS-over-HTTPS resolver status ${body.Status}`);
    const values = (body.Answer ?? []).filter((a) => a.type === 16 && a.data).map((a) => txtData(a.data ?? ""));
    return txtOutcome(claim.txt.name, claim.txt.value, values);
  }
  async release(): Promise<void> {}
}

type CfHostname = {
  id: string;
  hostname: string;
  status?: string;
  ssl?: { status?: string };
  ownership_verification?: { type?: string; name?: string; value?: string };
  verification_errors?: string[];
};
type CfAnswer<T> = { success: boolean; errors?: { code?: number; message?: string }[]; result?: T };

const CF_FAILED_HOSTNAME = new Set(["moved", "deleted", "blocked", "test_failed", "test_blocked"]);
const CF_FAILED_SSL = new Set([
  "expired",
  "deleted",
  "validation_timed_out",
  "issuance_timed_out",
  "deployment_timed_out",
]);

/** Cloudflare's hostname and SSL statuses → ours. Active only when both are. */
export function mapCloudflareStatus(h: CfHostname): DomainCheck {
  const host = h.status ?? "pending";
  const ssl = h.ssl?.status ?? "pending_validation";
  const errors = (h.verification_errors ?? []).join("; ");
  if (CF_FAILED_HOSTNAME.has(host))
    return { status: "failed", reason: `Custom hostname ${host}${errors ? `: ${errors}` : ""}.` };
  if (CF_FAILED_SSL.has(ssl)) return { status: "failed", reason: `Certificate ${ssl.replace(/_/g, " ")}.` };
  if (host === "active" && ssl === "active") return { status: "active", reason: null };
  return {
    status: "pending",
    reason: `Hostname ${host.replace(/_/g, " ")}, certificate ${ssl.replace(/_/g, " ")}${errors ? `: ${errors}` : ""}.`,
  };
}

/** Cloudflare for SaaS custom hostnames: certificates and ownership checks done by Cloudflare. */
class CloudflareDomainProvider implements DomainProvider {
  readonly name = "cloudflare";
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly zone: string,
    private readonly timeoutMs: number,
  ) {}

  private async api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; answer: CfAnswer<T> }> {
    const url = `${this.base.replace(/\/$/, "")}/zones/${encodeURIComponent(this.zone)}${path}`;
    const res = await providerFetch("Cloudflare's API", this.timeoutMs, url, {
      method,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({ success: false }))) as CfAnswer<T>;
    return { status: res.status, answer };
  }

  private async find(domain: string): Promise<CfHostname | null> {
    const { answer } = await this.api<CfHostname[]>("GET", `/custom_hostnames?hostname=${encodeURIComponent(domain)}`);
    return answer.result?.find((h) => h.hostname === domain) ?? null;
  }

  async register(domain: string, challenge: TxtRecord) {
    const { answer } = await this.api<CfHostname>("POST", "/custom_hostnames", {
      hostname: domain,
      ssl: { method: "http", type: "dv" },
    });
    // Already registered (a retry, or a domain claimed again): use the existing one.
    const h = answer.success ? answer.result : await this.find(domain);
    if (!h) {
      const why = answer.errors?.map((e) => e.message).join("; ") || "refused";
      throw new Error(`Cloudflare refused the custom hostname: ${why}`);
    }
    const ov = h.ownership_verification;
    const txt = ov?.name && ov.value ? { name: ov.name, value: ov.value } : challenge;
    return { txt, providerRef: h.id };
  }

  async check(claim: ClaimedDomain): Promise<DomainCheck> {
    const id = claim.providerRef ?? (await this.find(claim.domain))?.id;
    if (!id) return { status: "failed", reason: "The custom hostname no longer exists at Cloudflare." };
    const { status, answer } = await this.api<CfHostname>("GET", `/custom_hostnames/${encodeURIComponent(id)}`);
    if (status === 404 || !answer.result) {
      return { status: "failed", reason: "The custom hostname no longer exists at Cloudflare." };
    }
    return mapCloudflareStatus(answer.result);
  }

  async release(claim: { domain: string; providerRef: string | null }): Promise<void> {
    const id = claim.providerRef ?? (await this.find(claim.domain))?.id;
    if (!id) return;
    const { status } = await this.api("DELETE", `/custom_hostnames/${encodeURIComponent(id)}`);
    if (status >= 400 && status !== 404) throw new Error(`Cloudflare API answered ${status} to a delete`);
  }
}

/** The provider DOMAIN_PROVIDER names ("local" by default). */
export function domainProviderFor(env: Env, db: Db): DomainProvider {
  switch (env.DOMAIN_PROVIDER ?? "local") {
    case "doh":
      if (!env.DOH_URL) throw new Error("DOMAIN_PROVIDER=doh needs DOH_URL");
      return new DohDomainProvider(env.DOH_URL, providerTimeoutMs(env));
    case "cloudflare":
      if (!env.CLOUDFLARE_API_BASE || !env.CLOUDFLARE_API_TOKEN || !env.CLOUDFLARE_ZONE_ID) {
        throw new Error(
          "DOMAIN_PROVIDER=cloudflare needs CLOUDFLARE_API_BASE, CLOUDFLARE_API_TOKEN, CLOUDFLARE_ZONE_ID",
        );
      }
      return new CloudflareDomainProvider(
        env.CLOUDFLARE_API_BASE,
        env.CLOUDFLARE_API_TOKEN,
        env.CLOUDFLARE_ZONE_ID,
        providerTimeoutMs(env),
      );
    default:
      return new LocalDomainProvider(db);
  }
}
