import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { telephonyTrunks } from "../db/schema";
import type { Env } from "../env";
import { newId } from "../lib/crypto";
import { providerFetch, providerTimeoutMs } from "./http";

/** The telephony carrier: a trunk per org and phone numbers. Every call is idempotent per org. */
export interface Carrier {
  readonly name: string;
  ensureTrunk(orgId: string): Promise<{ id: string }>;
  /** The org's number, assigning one if it has none yet. */
  assignNumber(orgId: string, trunkId: string): Promise<{ number: string }>;
  /** Gives the numbers of a deleted org back to the pool (org deletion's afterDeletion). */
  releaseNumbers(orgId: string): Promise<void>;
}

/** Development and tests: trunks are rows, numbers come from the seeded phone_number_pool. */
class LocalCarrier implements Carrier {
  readonly name = "local";
  constructor(private readonly db: Db) {}

  async ensureTrunk(orgId: string) {
    await this.db
      .insert(telephonyTrunks)
      .values({ id: newId("trk"), orgId, provider: this.name, createdAt: Date.now() })
      .onConflictDoNothing();
    const row = (
      await this.db.select({ id: telephonyTrunks.id }).from(telephonyTrunks).where(eq(telephonyTrunks.orgId, orgId))
    )[0];
    if (!row) throw new Error("local carrier: trunk vanished");
    return row;
  }

  async assignNumber(orgId: string) {
    // One statement: takes the first free number unless the org already holds one, so two
    // concurrent deliveries of the same provisioning message cannot assign two numbers; and
    // only while the org exists, so provisioning that races the org's deletion (whose batch
    // returns its numbers) cannot take a number for ever.
    await this.db.run(sql`
      UPDATE phone_number_pool SET org_id = ${orgId}, assigned_at = ${Date.now()}
      WHERE number = (SELECT number FROM phone_number_pool WHERE org_id IS NULL ORDER BY number LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM phone_number_pool WHERE org_id = ${orgId})
        AND EXISTS (SELECT 1 FROM organizations WHERE id = ${orgId})`);
    const row = await this.db.get<{ number: string }>(
      sql`SELECT number FROM phone_number_pool WHERE org_id = ${orgId} LIMIT 1`,
    );
    if (!row) {
      const org = await this.db.get(sql`SELECT 1 FROM organizations WHERE id = ${orgId}`);
      throw new Error(org ? "local carrier: the phone number pool is exhausted" : "local carrier: the org is gone");
    }
    return { number: row.number };
  }

  async releaseNumbers(orgId: string) {
    // Org deletion's batch already did this (resources/cleanup.ts); again is harmless.
    await this.db.run(sql`UPDATE phone_number_pool SET org_id = NULL, assigned_at = NULL WHERE org_id = ${orgId}`);
  }
}

/** A JSON-over-HTTP carrier (TELEPHONY_API_URL): POST /trunks and /numbers with an idempotency key. */
class HttpCarrier implements Carrier {
  readonly name = "http";
  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly timeoutMs: number,
  ) {}

  private async post<T>(path: string, body: Record<string, string>, key: string): Promise<T> {
    const res = await providerFetch("The carrier", this.timeoutMs, new URL(path, this.url), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.apiKey}`, "idempotency-key": key },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`carrier answered ${res.status} on ${path}`);
    return (await res.json()) as T;
  }

  ensureTrunk(orgId: string) {
    return this.post<{ id: string }>("/trunks", { org_id: orgId }, `trunk:${orgId}`);
  }

  assignNumber(orgId: string, trunkId: string) {
    return this.post<{ number: string }>("/numbers", { org_id: orgId, trunk_id: trunkId }, `number:${orgId}`);
  }

  async releaseNumbers(orgId: string) {
    await this.post<unknown>("/numbers/release", { org_id: orgId }, `release:${orgId}`);
  }
}

/** TELEPHONY_PROVIDER selects the carrier (wrangler.toml); "local" needs no network. */
export function carrierFor(env: Env, db: Db): Carrier {
  if (env.TELEPHONY_PROVIDER === "http") {
    if (!env.TELEPHONY_API_URL || !env.TELEPHONY_API_KEY)
      throw new Error("TELEPHONY_PROVIDER=http needs TELEPHONY_API_URL and TELEPHONY_API_KEY");
    return new HttpCarrier(env.TELEPHONY_API_URL, env.TELEPHONY_API_KEY, providerTimeoutMs(env));
  }
  return new LocalCarrier(db);
}
