/** @module Peer `ort-node-cpu`: onnxruntime-node's native CPU EP on all cores, the reference for correctness. */
import { availableParallelism } from 'node:os';
import type { LoadedPeer, Peer, PeerContext } from './types.ts';
import { loadOrtNode } from './ort-node-session.ts';

export const ortNodeCpu: Peer = {
  name: 'ort-node-cpu',
  async load(ctx: PeerContext): Promise<LoadedPeer> {
    // intraOpNumThreads 0 would let ORT pick physical cores; name the count so the table says what ran.
    const threads = availableParallelism();
    const peer = await loadOrtNode(ctx, { executionProviders: ['cpu'], intraOpNumThreads: threads });
    return { ...peer, details: { threads } };
  },
};
