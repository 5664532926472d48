/**
 * @module onnxruntime-node (CPU) as the oracle every kernel and model test compares against.
 */
import * as ort from 'onnxruntime-node';

export interface OrtTensor {
  data: Float32Array;
  dims: number[];
}

// Keyed by the bytes object itself: tests pass the same Uint8Array again for each case, and session creation
// (graph optimisation, weight packing) costs far more than a small run.
const sessions = new WeakMap<Uint8Array, Promise<ort.InferenceSession>>();

function session(modelBytes: Uint8Array): Promise<ort.InferenceSession> {
  let s = sessions.get(modelBytes);
  if (!s) {
    s = ort.InferenceSession.create(modelBytes, { executionProviders: ['cpu'] });
    // A model that fails to load should fail every time with its own error, not once and then be cached.
    s.catch(() => sessions.delete(modelBytes));
    sessions.set(modelBytes, s);
  }
  return s;
}

/** Runs a model on CPU and returns every graph output as plain numbers with its ORT type (int64 included). */
export async function runOrtValues(modelBytes: Uint8Array, feeds: Record<string, OrtTensor> = {}): Promise<Record<string, { values: number[]; dims: number[]; type: string }>> {
  const s = await session(modelBytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
  const results = await s.run(ortFeeds);
  return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, { values: Array.from(t.data as ArrayLike<number | bigint>, Number), dims: [...t.dims], type: t.type }]));
}

/** Runs a float32 model on CPU and returns every graph output; throws if an output is not float32. */
export async function runOrt(modelBytes: Uint8Array, feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
  const s = await session(modelBytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
  const results = await s.run(ortFeeds);
  const out: Record<string, OrtTensor> = {};
  for (const [name, t] of Object.entries(results)) {
    if (t.type !== 'float32') throw new Error(`runOrt: output ${name} is ${t.type}, only float32 is supported`);
    // Copy: ORT may reuse the output buffer for the next run on this session.
    out[name] = { data: Float32Array.from(t.data as Float32Array), dims: [...t.dims] };
  }
  return out;
}
