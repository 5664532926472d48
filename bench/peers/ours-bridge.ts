/**
 * @module Peer `ours-bridge`: the engine on a GPU reached through the GPU host bridge, as the service's Durable
 * Object reaches it: the host is a child process on an ephemeral loopback port (same Dawn adapter choice as ours),
 * the client talks to it over a real WebSocket, so every run pays the protocol's round trip and copies. The client
 * is `LoopbackWebSocket` (ws without JavaScript frame masking on loopback), because the Durable Object's client,
 * workerd's WebSocket, masks natively: plain `ws` would add ~3 ms per 600 KB input that production never pays.
 */
import { LoopbackWebSocket } from '../../gpu-host/loopback-websocket.ts';
import { connectBridgeGPU, installWebGPUConstants } from '../../bridge/client.ts';
import { inferenceLimits, InferenceSession } from '../../engine/index.ts';
import { startChildGpuHost } from './gpu-host-child.ts';
import { sessionDetails } from './ours.ts';
import type { LoadedPeer, Peer, PeerContext } from './types.ts';

export const oursBridge: Peer = {
  name: 'ours-bridge',
  async load(ctx: PeerContext): Promise<LoadedPeer> {
    installWebGPUConstants();
    const host = await startChildGpuHost();
    let session: InferenceSession | undefined;
    try {
      const gpu = connectBridgeGPU(host.url, { token: host.token, WebSocket: LoopbackWebSocket });
      const adapter = await gpu.requestAdapter({ featureLevel: ctx.dawn.featureLevel, powerPreference: 'high-performance' });
      if (!adapter) throw new Error('the GPU host offered no adapter');
      const device = await adapter.requestDevice({ requiredLimits: inferenceLimits(adapter) });
      session = await InferenceSession.create(device, ctx.model.bytes, { inputShapes: { [ctx.model.inputName]: ctx.model.inputDims } });
      const s = session;
      const feeds = { [ctx.model.inputName]: ctx.input };
      const outputName = s.outputs[0].name;
      const info = adapter.info;
      return {
        run: async () => (await s.run(feeds))[outputName].data,
        details: { ...sessionDetails(s), host: `${info.device} ${info.description}`.trim() },
        dispose: async () => {
          s.dispose();
          device.destroy();
          await host.stop();
        },
      };
    } catch (e) {
      session?.dispose();
      await host.stop();
      throw e;
    }
  },
};
