/** @module An onnxruntime-web session as a bench peer; which build (wasm or webgpu) and EP are the caller's. */
import type * as OrtWeb from 'onnxruntime-web';
import type { LoadedPeer, PeerContext } from './types.ts';

export async function loadOrtWeb(ort: typeof OrtWeb, ctx: PeerContext, options: OrtWeb.InferenceSession.SessionOptions): Promise<LoadedPeer> {
  const session = await ort.InferenceSession.create(ctx.model.bytes, { graphOptimizationLevel: 'all', ...options });
  const feeds = { [ctx.model.inputName]: new ort.Tensor('float32', ctx.input, ctx.model.inputDims) };
  return {
    // getData() also covers GPU-located outputs; with the default 'cpu' location it is the readback ORT already did.
    run: async () => (await (await session.run(feeds))[ctx.model.outputName].getData()) as Float32Array,
    dispose: () => session.release(),
  };
}
