/** @module The connection's first exchange: the hello (token first, then protocol version) and the host's answer. */
import { ByteReader, ByteWriter, decodeJsonBody, readHeader, writeHeader } from './codec.ts';
import { CLOSE_POLICY, CLOSE_TRY_AGAIN, CLOSE_VERSION, FrameKind, PROTOCOL_VERSION, type Welcome } from './protocol.ts';

export function helloFrame(token: string): Uint8Array {
  const w = new ByteWriter(256);
  writeHeader(w, FrameKind.Hello, 0);
  w.bytes(new TextEncoder().encode(JSON.stringify({ token, version: PROTOCOL_VERSION })));
  return w.take();
}

/** Throws when the frame is not a welcome in our protocol version. */
export function parseWelcome(bytes: Uint8Array): Welcome {
  const r = new ByteReader(bytes);
  const header = readHeader(r);
  if (header.kind !== FrameKind.Welcome) throw new Error(`expected a welcome, got frame kind ${header.kind}`);
  const welcome = decodeJsonBody(r) as Welcome;
  if (welcome?.version !== PROTOCOL_VERSION) throw new Error(`host speaks protocol ${welcome?.version}, client ${PROTOCOL_VERSION}`);
  return welcome;
}

/** The error for a close before the welcome that means "refused" (token, version, capacity), else undefined. */
export function refusal(code: number | undefined, reason: string | undefined): Error | undefined {
  if (code !== CLOSE_POLICY && code !== CLOSE_VERSION && code !== CLOSE_TRY_AGAIN) return undefined;
  const e = new Error(`GPU host refused the connection: ${reason || `code ${code}`}`);
  e.name = 'GPUHostRefusedError';
  return e;
}
