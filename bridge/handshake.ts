/** @module The connection's first exchange: the hello (token first, then protocol version) and the host's answer. */
import { decodeJsonFrame, encodeJsonFrame } from './codec.ts';
import { CLOSE_POLICY, CLOSE_TRY_AGAIN, CLOSE_VERSION, FrameKind, PROTOCOL_VERSION, type Welcome } from './protocol.ts';

/** `version` is only overridden by tests, to be refused. */
export function helloFrame(token: string, version: number = PROTOCOL_VERSION): Uint8Array {
  return encodeJsonFrame(FrameKind.Hello, { token, version });
}

/** Throws when the frame is not a welcome in our protocol version. */
export function parseWelcome(bytes: Uint8Array): Welcome {
  const welcome = decodeJsonFrame(bytes, FrameKind.Welcome) as Welcome;
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
