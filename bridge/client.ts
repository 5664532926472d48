/**
 * @module GPU bridge client: a standard WebGPU `GPU` whose adapters and devices live in a GPU host process
 * (gpu-host/server.ts) reached over a WebSocket. Runtime-agnostic: runs in workerd (global WebSocket) and in
 * Node (pass `ws`'s WebSocket).
 * @example
 * const gpu = connectBridgeGPU('ws://127.0.0.1:8790', { token });
 * const device = await (await gpu.requestAdapter())!.requestDevice();
 */
import { BridgeGPU } from './adapter.ts';
import { installWebGPUConstants } from './constants.ts';
import type { WebSocketConstructor } from './socket.ts';

export { installWebGPUConstants };
export { getBridgeStats, resetBridgeStats, type BridgeStats } from './stats.ts';
export { isLoopbackHost, type WebSocketConstructor, type WebSocketLike } from './socket.ts';
export { PROTOCOL_VERSION } from './protocol.ts';

export interface BridgeOptions {
  /** The GPU host's shared secret; sent as the first frame, compared in constant time by the host. */
  token: string;
  /** Defaults to the runtime's global WebSocket (workerd, Node >= 22). */
  WebSocket?: WebSocketConstructor;
  /** Bound on connecting and on every awaited call (default 60 s: llvmpipe compiles are slow). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export function connectBridgeGPU(url: string, options: BridgeOptions): GPU {
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Ctor) throw new TypeError('connectBridgeGPU: this runtime has no global WebSocket; pass options.WebSocket (e.g. the `ws` package)');
  if (!options.token) throw new TypeError('connectBridgeGPU: options.token is required');
  // The engine reads GPUBufferUsage/GPUMapMode/GPUShaderStage as globals; workerd has none.
  installWebGPUConstants();
  const gpu = new BridgeGPU(url, { token: options.token, WebSocket: Ctor, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  // The proxies implement the subset of WebGPU the engine uses (see README in the report), not every member.
  return gpu as unknown as GPU;
}
