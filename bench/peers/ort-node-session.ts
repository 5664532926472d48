/** @module An onnxruntime-node session as a bench peer; the EP choice is the caller's. */
import type { InferenceSession as OrtSession } from 'onnxruntime-node';
import type { LoadedPeer, PeerContext } from './types.ts';

export async function loadOrtNode(ctx: PeerContext, options: OrtSession.SessionOptions): Promise<LoadedPeer> {
  // Imported lazily so a broken native binary costs only these peers, not the whole bench.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(ctx.model.bytes, { graphOptimizationLevel: 'all', ...options });
  const feeds = { [ctx.model.inputName]: new ort.Tensor('float32', ctx.input, ctx.model.inputDims) };
  return {
    run: async () => (await session.run(feeds))[ctx.model.outputName].data as Float32Array,
    dispose: () => session.release(),
  };
}
