/** @module Peer `ort-wasm`: onnxruntime-web's CPU (wasm) EP, 1 thread, SIMD: what a browser without WebGPU gets. */
import type { LoadedPeer, Peer, PeerContext } from './types.ts';
import { loadOrtWeb } from './ort-web-session.ts';

export const ortWasm: Peer = {
  name: 'ort-wasm',
  async load(ctx: PeerContext): Promise<LoadedPeer> {
    // The Node build (its own module instance and `env`, separate from the webgpu bundle ort-webgpu imports).
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.simd = true;
    const peer = await loadOrtWeb(ort, ctx, { executionProviders: ['wasm'] });
    return { ...peer, details: { threads: 1 } };
  },
};
