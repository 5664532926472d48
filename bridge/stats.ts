/** @module Traffic counters for every bridge connection in this isolate, so tests and /healthz can count round trips. */

export interface BridgeStats {
  /** WebSocket frames sent, including hello and fire-and-forget batches. */
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
  /** Host round trips: each hello, and each flush that carried at least one awaited call. */
  roundTrips: number;
  /** Commands sent (awaited or not). */
  commands: number;
  connectionsOpened: number;
}

const totals: BridgeStats = {
  messagesSent: 0,
  bytesSent: 0,
  messagesReceived: 0,
  bytesReceived: 0,
  roundTrips: 0,
  commands: 0,
  connectionsOpened: 0,
};

/** Mutable counters, for the connection only. */
export function bridgeCounters(): BridgeStats {
  return totals;
}

/** A snapshot of the counters summed over every connection since start (or the last reset). */
export function getBridgeStats(): BridgeStats {
  return { ...totals };
}

export function resetBridgeStats(): void {
  for (const k of Object.keys(totals) as (keyof BridgeStats)[]) totals[k] = 0;
}
