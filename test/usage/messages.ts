import type { Channel, UsageMessage } from "../../src/usage/messages";

/** The usage message a Durable Object sends for one call that just ended after `durationMs`. */
export function endedCall(orgId: string, id: string, durationMs: number, channel: Channel = "voice"): UsageMessage {
  const now = Date.now();
  return {
    type: "calls_ended",
    orgId,
    calls: [
      {
        id,
        channel,
        direction: "inbound",
        agentId: null,
        startedAt: now - durationMs,
        endedAt: now,
        endReason: "completed",
      },
    ],
  };
}
