/** @module Peer `ours`: the engine on the direct dawn.node device. */
import { InferenceSession } from '../../engine/index.ts';
import type { LoadedPeer, Peer, PeerContext } from './types.ts';

/** Also used by the profiler, which needs the session itself, not only `run`. */
export async function createOursSession(ctx: PeerContext): Promise<InferenceSession> {
  return InferenceSession.create(ctx.dawn.device, ctx.model.bytes, { inputShapes: { [ctx.model.inputName]: ctx.model.inputDims } });
}

export function sessionDetails(session: InferenceSession): Record<string, string | number> {
  const s = session.stats;
  return {
    dispatches: s.dispatches,
    pipelines: s.pipelines,
    uploadBytesPerRun: s.uploadBytesPerRun,
    readbackBytesPerRun: s.readbackBytesPerRun,
    peakActivationBytes: s.peakActivationBytes,
    totalActivationBytes: s.totalActivationBytes,
    weightBytes: s.weightBytes,
    kernels: Object.entries(s.kernels).map(([k, n]) => `${k}x${n}`).join(' '),
  };
}

export const ours: Peer = {
  name: 'ours',
  async load(ctx: PeerContext): Promise<LoadedPeer> {
    const session = await createOursSession(ctx);
    const feeds = { [ctx.model.inputName]: ctx.input };
    const outputName = session.outputs[0].name;
    return {
      run: async () => (await session.run(feeds))[outputName].data,
      details: sessionDetails(session),
      dispose: () => session.dispose(),
    };
  },
};
