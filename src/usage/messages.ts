/** Bodies of messages on the `usage` queue. Every item carries a key: redelivery is harmless. */
export type Channel = "voice" | "chat";
export type Direction = "inbound" | "outbound";

/** A finished call as the org's Durable Object hands it over. */
export type EndedCall = {
  id: string;
  channel: Channel;
  direction: Direction;
  agentId: string | null;
  startedAt: number;
  endedAt: number;
  endReason: "completed" | "lease_expired";
};

/** A usage event reported through POST /admin/usage/events. */
export type ReportedEvent =
  | { key: string; kind: "chat"; occurredAt: number; durationMs: number; direction: Direction }
  | { key: string; kind: "workflow_run"; occurredAt: number; outcome: "success" | "failed" };

export type UsageMessage =
  | { type: "calls_ended"; orgId: string; calls: EndedCall[] }
  | { type: "events"; orgId: string; events: ReportedEvent[] };
