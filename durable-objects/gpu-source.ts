/**
 * @module Where the Durable Object gets its GPU: `navigator.gpu` when the runtime has one, else the GPU host
 * bridge (workerd has no WebGPU). The engine sees a standard `GPU` either way.
 */
import { connectBridgeGPU, isLoopbackHost } from '../bridge/client.ts';

/** The connection settings shared by every GPU host (one token for all; the URLs are in serving-config.ts). */
export interface GpuHostConfig {
  GPU_HOST_TOKEN?: string;
  /** Bound on any one awaited GPU call through the bridge (default 15 s), so a hung host fails requests with 503. */
  GPU_HOST_TIMEOUT_MS?: string;
}

/** Long enough for a batch of 8 on llvmpipe (~0.6 s) and a pipeline compile, short enough not to stall clients. */
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Refuses a GPU host URL that would send the token or tensors in clear over a network, or with no token:
 * ws:// only to loopback, wss:// anywhere, always with a token.
 */
export function checkGpuHostUrl(url: string, token: string | undefined): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`GPU_HOST_URL "${url}" is not a URL (expected ws://127.0.0.1:8790 or wss://host)`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new Error(`GPU_HOST_URL must be ws:// or wss://, got ${parsed.protocol}`);
  if (parsed.protocol === 'ws:' && !isLoopbackHost(parsed.hostname)) {
    throw new Error(`GPU_HOST_URL ${url} is not loopback: use wss:// (TLS) for a GPU host on another machine`);
  }
  if (!token) throw new Error('GPU_HOST_TOKEN is not set: put it in .dev.vars (npm start does) or `wrangler secret put GPU_HOST_TOKEN`');
}

/** The GPU behind the host at `url`: each requestAdapter() opens its own connection there. */
export function gpuFor(url: string, config: GpuHostConfig): GPU {
  const native = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (native) return native;
  checkGpuHostUrl(url, config.GPU_HOST_TOKEN);
  return connectBridgeGPU(url, { token: config.GPU_HOST_TOKEN!, timeoutMs: Number(config.GPU_HOST_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS });
}
