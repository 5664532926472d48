/** @module Base of every bridge proxy: the connection it lives on and its client-allocated id. */
import type { BridgeConnection } from './connection.ts';

export class Handle {
  readonly conn: BridgeConnection;
  readonly id: number;
  label: string;

  constructor(conn: BridgeConnection, id: number, label: string | undefined) {
    this.conn = conn;
    this.id = id;
    this.label = label ?? '';
  }
}

/**
 * The host id of a proxy passed back into the API. Objects from another device (another connection) or
 * from a native WebGPU are refused at once: their ids mean nothing, or something else, on this connection.
 */
export function idOf(conn: BridgeConnection, value: unknown, what: string): number {
  if (value instanceof Handle && value.conn === conn) return value.id;
  const e = new TypeError(`${what} is not an object of this GPU bridge device`);
  throw e;
}
