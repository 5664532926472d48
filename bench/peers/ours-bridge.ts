/**
 * @module Peer `ours-bridge`: the engine on a GPU reached through the GPU host bridge, as the service's Durable
 * Object reaches it: the host is a child process on an ephemeral loopback port (same Dawn adapter choice as ours),
 * the client talks to it over a real WebSocket, so every run pays the protocol's round trip and copies. The client
 * is `LoopbackWebSocket` (ws without JavaScript frame masking on loopback), because the Durable Object's client,
 * workerd's WebSocket, masks natively: plain `ws` would add ~3 ms per 600 KB input that production never pays.
 */
import { LoopbackWebSocket } from '../../gpu-host/loopback-websocket.ts';
import { connectBridgeGPU } from '../../bridge/client.ts';
import { openDevice } from '../../gpu/device.ts';
import { startChildGpuHost } from './gpu-host-child.ts';
import { oursOn } from './ours.ts';
import type { LoadedPeer, Peer, PeerContext } from './types.ts';

export const oursBridge: Peer = {
  name: 'ours-bridge',
  async load(ctx: PeerContext): Promise<LoadedPeer> {
    const host = await startChildGpuHost();
    try {
      const gpu = connectBridgeGPU(host.url, { token: host.token, WebSocket: LoopbackWebSocket });
      const adapter = await gpu.requestAdapter({ featureLevel: ctx.dawn.featureLevel, powerPreference: 'high-performance' });
      if (!adapter) throw new Error('the GPU host offered no adapter');
      const device = await openDevice(adapter);
      const info = adapter.info;
      const peer = await oursOn(device, ctx);
      return {
        run: peer.run,
        details: { ...peer.details, host: `${info.device} ${info.description}`.trim() },
        dispose: async () => {
          await peer.dispose();
          device.destroy();
          await host.stop();
        },
      };
    } catch (e) {
      await host.stop();
      throw e;
    }
  },
};
