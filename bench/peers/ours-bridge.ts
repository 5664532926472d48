/**
 * @module Peer `ours-bridge`: the engine on a GPU reached through the GPU host bridge, as the service's Durable
 * Object reaches it. The host runs in this process on an ephemeral loopback port (it opens its own Dawn instance
 * on the same adapter); the client talks to it over a real WebSocket (`ws`), so every run pays the protocol's
 * round trips and copies.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { InferenceSession } from '../../engine/index.ts';
import { pickLimits } from '../../gpu-host/dawn.ts';
import type { LoadedPeer, Peer, PeerContext } from './types.ts';
import { sessionDetails } from './ours.ts';

export const oursBridge: Peer = {
  name: 'ours-bridge',
  async load(ctx: PeerContext): Promise<LoadedPeer> {
    // Lazy: the bridge is optional for the rest of the bench; if it fails to load only this peer is lost.
    const [{ startGpuHost }, { connectBridgeGPU, installWebGPUConstants }] = await Promise.all([
      import('../../gpu-host/server.ts'),
      import('../../bridge/client.ts'),
    ]).catch((e: Error) => {
      throw new Error(`bridge not available (${e.message.split('\n')[0]})`);
    });
    installWebGPUConstants();
    const token = randomBytes(16).toString('hex');
    const host = await startGpuHost({ port: 0, token, log: () => undefined });
    let session: InferenceSession | undefined;
    try {
      const gpu = connectBridgeGPU(host.url, { token, WebSocket: WebSocket as never });
      const adapter = await gpu.requestAdapter({ featureLevel: ctx.dawn.featureLevel, powerPreference: 'high-performance' });
      if (!adapter) throw new Error('the GPU host offered no adapter');
      const device = await adapter.requestDevice({ requiredLimits: pickLimits(adapter) });
      session = await InferenceSession.create(device, ctx.model.bytes, { inputShapes: { [ctx.model.inputName]: ctx.model.inputDims } });
      const s = session;
      const feeds = { [ctx.model.inputName]: ctx.input };
      const outputName = s.outputs[0].name;
      return {
        run: async () => (await s.run(feeds))[outputName].data,
        details: { ...sessionDetails(s), host: `${host.adapter.device} ${host.adapter.description} (${host.adapter.backend})` },
        dispose: async () => {
          s.dispose();
          device.destroy();
          await host.close();
        },
      };
    } catch (e) {
      session?.dispose();
      await host.close();
      throw e;
    }
  },
};
