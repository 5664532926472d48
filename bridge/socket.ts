/**
 * @module The slice of the standard WebSocket API the bridge uses, so the same client runs on workerd's global
 * WebSocket and on the `ws` package in Node (which has no global WebSocket in v20).
 */

export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: SocketEvent) => void): void;
}

/** The fields of the open/message/close/error events the bridge reads; absent ones stay undefined. */
export interface SocketEvent {
  type?: string;
  /** message */
  data?: unknown;
  /** close */
  code?: number;
  reason?: string;
  /** error (Node's ws and workerd set these; browsers do not) */
  message?: string;
  error?: unknown;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

const LOOPBACK_HOST = /^(?:localhost|\[::1\]|127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}))$/i;

/** True for a URL hostname (as `new URL(...).hostname` gives it) on loopback: localhost, [::1], all of 127.0.0.0/8. */
export function isLoopbackHost(hostname: string): boolean {
  const m = LOOPBACK_HOST.exec(hostname);
  return m !== null && m.slice(1).every((octet) => octet === undefined || Number(octet) <= 255);
}

/** WebSocket.OPEN in every implementation. */
export const OPEN = 1;

/** Normalizes a binary message to bytes; Blobs (a runtime that ignores binaryType) need an await. */
export function messageBytes(data: unknown): Uint8Array | Promise<Uint8Array> | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data.arrayBuffer().then((b) => new Uint8Array(b));
  return undefined;
}
