import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { Channel, Direction, EndedCall, UsageMessage } from "../usage/messages";

export type CallMeta = { channel: Channel; direction: Direction; agentId: string | null };
export type Lease = CallMeta & { callId: string; startedAt: number; expiresAt: number };
export type ConcurrencyStatus = { active: number; limit: number; peak: number };
/**
 * What the org may spend, as billing last pushed it (src/billing/sync.ts). A push carries
 * its payer's ledger version; an older push arriving late is ignored.
 */
export type Spending = { prepaid: boolean; balanceCents: number; version: number; trialEndsAt: number | null };
export type Refusal = "limit" | "insufficient_balance" | "trial_ended";
export type AcquireResult =
  | ({ granted: true; lease: Lease } & ConcurrencyStatus)
  | ({ granted: false; reason: Refusal; retryAfterSeconds: number } & ConcurrencyStatus);
export type HeartbeatResult = { ok: true; lease: Lease } | { ok: false; reason: "not_found" | "expired" };

/** The free plan's limit: what an org gets before provisioning configured it. */
export const DEFAULT_CONCURRENCY_LIMIT = 1;
/**
 * Ended calls wait this long before the alarm hands them to the usage queue in one batch:
 * the summary's lag (with the queue's 1 s batch timeout, about 3.5 s) traded against the
 * alarms and queue messages every active org costs.
 */
const FLUSH_DELAY_MS = 2_500;
const FLUSH_MAX = 500;

type LeaseRow = {
  call_id: string;
  channel: Channel;
  direction: Direction;
  agent_id: string | null;
  started_at: number;
  expires_at: number;
};

function toLease(r: LeaseRow): Lease {
  return {
    callId: r.call_id,
    channel: r.channel,
    direction: r.direction,
    agentId: r.agent_id,
    startedAt: r.started_at,
    expiresAt: r.expires_at,
  };
}

/**
 * One per organization (`idFromName(orgId)`): the single source of truth for its running
 * calls. Leases live in the object's SQLite storage so an evicted object forgets nothing.
 * Every decision (acquire, heartbeat, release) is synchronous SQL with no await in
 * between, so no interleaving of requests can grant more than the limit.
 * Ended calls are kept in an outbox table and flushed to the `usage` queue by the alarm,
 * which also reclaims expired leases; both are idempotent (the consumer dedupes by call id).
 */
export class OrgConcurrency extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      this.createTables();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  private createTables(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS leases (
      call_id TEXT PRIMARY KEY, channel TEXT NOT NULL, direction TEXT NOT NULL, agent_id TEXT,
      started_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS leases_expiry ON leases(expires_at)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS ended (call_id TEXT PRIMARY KEY, record TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  }

  private setting(key: string): string | null {
    const row = this.sql.exec<{ value: string }>(`SELECT value FROM settings WHERE key = ?`, key).toArray()[0];
    return row ? row.value : null;
  }

  private put(key: string, value: string | number): void {
    this.sql.exec(
      `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      key,
      String(value),
    );
  }

  private status(now: number): ConcurrencyStatus {
    const active = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM leases WHERE expires_at > ?`, now).one().n;
    return {
      active,
      limit: Number(this.setting("limit") ?? DEFAULT_CONCURRENCY_LIMIT),
      peak: Number(this.setting("peak") ?? 0),
    };
  }

  private async scheduleAlarm(at: number): Promise<void> {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /**
   * Sets the org, its limit and what it may spend (provisioning, plan changes, ledger
   * changes). Lowering the limit or the balance never ends running calls.
   */
  async configure(orgId: string, limit: number, spending?: Spending): Promise<ConcurrencyStatus> {
    this.put("org_id", orgId);
    this.put("limit", limit);
    if (spending && spending.version >= Number(this.setting("spending_version") ?? -1)) {
      this.put("spending_version", spending.version);
      this.put("spending", JSON.stringify(spending));
    }
    return this.status(Date.now());
  }

  /** Why a new call may not start now, by what billing last pushed; null when it may. Unknown spending: it may. */
  private spendingRefusal(now: number): "insufficient_balance" | "trial_ended" | null {
    const raw = this.setting("spending");
    if (raw === null) return null;
    const s = JSON.parse(raw) as Spending;
    if (s.trialEndsAt !== null && now >= s.trialEndsAt) return "trial_ended";
    if (s.prepaid && s.balanceCents <= 0) return "insufficient_balance";
    return null;
  }

  async getStatus(): Promise<ConcurrencyStatus> {
    return this.status(Date.now());
  }

  /** Grants a lease unless `limit` unexpired leases exist. Acquiring an already held call id returns it. */
  async acquire(orgId: string, callId: string, meta: CallMeta, leaseMs: number): Promise<AcquireResult> {
    const now = Date.now();
    if (this.setting("org_id") === null) this.put("org_id", orgId);
    const held = this.sql
      .exec<LeaseRow>(`SELECT * FROM leases WHERE call_id = ? AND expires_at > ?`, callId, now)
      .toArray()[0];
    const st = this.status(now);
    if (held) return { granted: true, lease: toLease(held), ...st };
    const refusal = this.spendingRefusal(now);
    // Money is not time: waiting does not help, so no Retry-After.
    if (refusal) return { granted: false, reason: refusal, retryAfterSeconds: 0, ...st };
    if (st.active >= st.limit) {
      const earliest = this.sql
        .exec<{ t: number | null }>(`SELECT min(expires_at) AS t FROM leases WHERE expires_at > ?`, now)
        .one().t;
      const wait = earliest === null ? 1 : Math.ceil((earliest - now) / 1000);
      return {
        granted: false,
        reason: "limit",
        retryAfterSeconds: Math.min(Math.max(1, wait), Math.ceil(leaseMs / 1000)),
        ...st,
      };
    }
    const lease: Lease = { callId, ...meta, startedAt: now, expiresAt: now + leaseMs };
    this.sql.exec(
      `INSERT INTO leases (call_id, channel, direction, agent_id, started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
      callId,
      meta.channel,
      meta.direction,
      meta.agentId,
      now,
      lease.expiresAt,
    );
    const active = st.active + 1;
    if (active > st.peak) this.put("peak", active);
    await this.scheduleAlarm(lease.expiresAt);
    return { granted: true, lease, active, limit: st.limit, peak: Math.max(active, st.peak) };
  }

  /** Extends a live lease. An expired lease cannot be revived: its slot may be taken. */
  async heartbeat(callId: string, leaseMs: number): Promise<HeartbeatResult> {
    const now = Date.now();
    const row = this.sql.exec<LeaseRow>(`SELECT * FROM leases WHERE call_id = ?`, callId).toArray()[0];
    if (!row) return { ok: false, reason: "not_found" };
    if (row.expires_at <= now) return { ok: false, reason: "expired" };
    row.expires_at = now + leaseMs;
    this.sql.exec(`UPDATE leases SET expires_at = ? WHERE call_id = ?`, row.expires_at, callId);
    await this.scheduleAlarm(row.expires_at);
    return { ok: true, lease: toLease(row) };
  }

  /** Frees the slot and queues the call for usage metering; null when the call is unknown or already ended. */
  async release(callId: string): Promise<EndedCall | null> {
    const now = Date.now();
    const row = this.sql.exec<LeaseRow>(`SELECT * FROM leases WHERE call_id = ?`, callId).toArray()[0];
    if (!row) return null;
    const expired = row.expires_at <= now;
    const ended = this.endLease(row, expired ? row.expires_at : now, expired ? "lease_expired" : "completed");
    await this.scheduleAlarm(now + FLUSH_DELAY_MS);
    return ended;
  }

  private endLease(row: LeaseRow, endedAt: number, endReason: EndedCall["endReason"]): EndedCall {
    const ended: EndedCall = {
      id: row.call_id,
      channel: row.channel,
      direction: row.direction,
      agentId: row.agent_id,
      startedAt: row.started_at,
      endedAt,
      endReason,
    };
    this.sql.exec(`INSERT OR IGNORE INTO ended (call_id, record) VALUES (?, ?)`, row.call_id, JSON.stringify(ended));
    this.sql.exec(`DELETE FROM leases WHERE call_id = ?`, row.call_id);
    return ended;
  }

  /**
   * Reclaims expired leases (their holder vanished) and flushes ended calls to the usage
   * queue. Runs at least once: a repeat finds nothing new, a resent call is deduped downstream.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    const expired = this.sql.exec<LeaseRow>(`SELECT * FROM leases WHERE expires_at <= ?`, now).toArray();
    for (const row of expired) this.endLease(row, row.expires_at, "lease_expired");

    const orgId = this.setting("org_id");
    const pending = this.sql
      .exec<{ call_id: string; record: string }>(`SELECT call_id, record FROM ended LIMIT ?`, FLUSH_MAX)
      .toArray();
    if (orgId && pending.length > 0) {
      const calls = pending.map((p) => JSON.parse(p.record) as EndedCall);
      const messages: MessageSendRequest<UsageMessage>[] = [];
      for (let i = 0; i < calls.length; i += 100) {
        messages.push({ body: { type: "calls_ended", orgId, calls: calls.slice(i, i + 100) }, contentType: "json" });
      }
      await this.env.USAGE_QUEUE.sendBatch(messages);
      for (const p of pending) this.sql.exec(`DELETE FROM ended WHERE call_id = ?`, p.call_id);
    }

    const more = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ended`).one().n > 0;
    const next = this.sql.exec<{ t: number | null }>(`SELECT min(expires_at) AS t FROM leases`).one().t;
    const at = more ? now + FLUSH_DELAY_MS : next;
    if (at !== null) await this.scheduleAlarm(at);
  }

  /** Forgets everything (the organization was deleted). */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.alarmAt = null;
    // The instance may serve another request before it is evicted.
    this.createTables();
  }
}
