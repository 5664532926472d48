/**
 * @module Peer `ort-node-webgpu`: onnxruntime-node's own WebGPU EP (its bundled Dawn, not ours). On llvmpipe it finds
 * no adapter; the bench then records ORT's error instead of a time.
 */
import type { LoadedPeer, Peer, PeerContext } from './types.ts';
import { loadOrtNode } from './ort-node-session.ts';

export const ortNodeWebgpu: Peer = {
  name: 'ort-node-webgpu',
  load: (ctx: PeerContext): Promise<LoadedPeer> => loadOrtNode(ctx, { executionProviders: ['webgpu'] }),
};
