/** @module Peer `ours`: the engine on the direct dawn.node device. */
import { InferenceSession } from '../../engine/index.ts';
import type { LoadedPeer, Peer, PeerContext } from './types.ts';

/** Also used by the profiler, which needs the session itself, not only `run`. */
export async function createOursSession(ctx: PeerContext, device: GPUDevice = ctx.dawn.device): Promise<InferenceSession> {
  return InferenceSession.create(device, ctx.model.bytes, { inputShapes: { [ctx.model.inputName]: ctx.model.inputDims } });
}

function sessionDetails(session: InferenceSession): Record<string, string | number> {
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

/** The engine as a loaded peer on `device`: ours' dawn.node device, or ours-bridge's bridged one. */
export async function oursOn(device: GPUDevice, ctx: PeerContext): Promise<LoadedPeer & { details: Record<string, string | number> }> {
  const session = await createOursSession(ctx, device);
  const feeds = { [ctx.model.inputName]: ctx.input };
  return {
    run: async () => (await session.run(feeds))[ctx.model.outputName].data,
    details: sessionDetails(session),
    dispose: () => session.dispose(),
  };
}

export const ours: Peer = {
  name: 'ours',
  load: (ctx) => oursOn(ctx.dawn.device, ctx),
};
