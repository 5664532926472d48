/** @module Peer `ours-bridge`: the engine on a GPU reached through the GPU host bridge (WebSocket). */
import type { LoadedPeer, Peer, PeerContext } from './types.ts';

export const oursBridge: Peer = {
  name: 'ours-bridge',
  async load(_ctx: PeerContext): Promise<LoadedPeer> {
    // bridge/client.ts and gpu-host/server.ts are not in the tree yet (a colleague is writing them).
    throw new Error('bridge not available');
  },
};
