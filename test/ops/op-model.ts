/**
 * @module Op tests against onnxruntime: build a small model, run it on ORT (CPU) and on our engine with the same
 * seeded inputs, compare with |got - want| <= ATOL + RTOL * |want| (engine-cli/tolerance.ts: 1e-4, 1e-3).
 */
import { expect } from 'vitest';
import { ATOL, RTOL } from '../../engine-cli/tolerance.ts';
import { InferenceSession, type SessionOptions, type SessionStats } from '../../engine/index.ts';
import { ModelBuilder, type Attribute, type Dim } from '../../models/onnx-builder.ts';
import { getTestDevice } from '../helpers/device.ts';
import { runOrt, type OrtTensor } from '../helpers/ort.ts';
import { randomFloat32 } from '../helpers/random.ts';

export { attr } from '../../models/onnx-builder.ts';

/** A graph input fed with random data, or a float initializer when `constant` is set. */
export interface OperandSpec {
  name: string;
  dims: readonly number[];
  constant?: boolean;
  /** Explicit values (default: seeded random in [-1, 1)). */
  data?: Float32Array;
}

export interface SingleOpSpec {
  op: string;
  operands: readonly (OperandSpec | null)[];
  attributes?: Record<string, Attribute>;
  /** Declared output dims, one entry per output; `symbolic(rank)` leaves the sizes to the runtime. */
  outputs: readonly (readonly Dim[])[];
  opset?: number;
}

let seed = 1;

/** Output dims left symbolic: the test compares against the shape onnxruntime computes. */
export function symbolic(rank: number): string[] {
  return Array.from({ length: rank }, (_, i) => `d${i}`);
}
const sizeOf = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** A one-node model plus feeds for its non-constant operands. */
export function singleOp(spec: SingleOpSpec): { model: Uint8Array; feeds: Record<string, OrtTensor> } {
  const b = new ModelBuilder({ opset: spec.opset ?? 13 });
  const feeds: Record<string, OrtTensor> = {};
  for (const o of spec.operands) {
    if (!o) continue;
    const data = o.data ?? randomFloat32(sizeOf(o.dims), seed++);
    if (o.constant) b.initializer(o.name, o.dims, data);
    else {
      b.input(o.name, o.dims);
      feeds[o.name] = { data, dims: [...o.dims] };
    }
  }
  const outNames = spec.outputs.map((_, i) => `y${i}`);
  b.node(spec.op, spec.operands.map((o) => o?.name ?? ''), outNames, spec.attributes ?? {}, { name: `${spec.op.toLowerCase()}_node` });
  spec.outputs.forEach((d, i) => b.output(outNames[i], d));
  return { model: b.toBytes(), feeds };
}

/** Random feeds for every listed input. */
export function randomFeeds(inputs: Record<string, readonly number[]>): Record<string, OrtTensor> {
  return Object.fromEntries(Object.entries(inputs).map(([name, dims]) => [name, { data: randomFloat32(sizeOf(dims), seed++), dims: [...dims] }]));
}

export function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const excess = Math.abs(got[i] - want[i]) - (ATOL + RTOL * Math.abs(want[i]));
    if (!(excess <= worstExcess)) {
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
      worst = i;
    }
  }
  if (worst >= 0) expect.fail(`${what}: element ${worst} is ${got[worst]}, onnxruntime says ${want[worst]}`);
}

/**
 * Runs the model on ORT and on the engine; every output must match. Returns the engine's stats. `oracle` is the
 * model ORT runs instead, where ORT cannot run `model` itself (it crashes on omitted optional outputs of
 * BatchNormalization's training mode): the engine's outputs are compared with the oracle's of the same name.
 */
export async function expectMatchesOrt(model: Uint8Array, feeds: Record<string, OrtTensor>, options: SessionOptions = {}, oracle = model): Promise<SessionStats> {
  const want = await runOrt(oracle, feeds);
  const { device } = await getTestDevice();
  const session = await InferenceSession.create(device, model, { warmup: false, ...options });
  try {
    const got = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.data])));
    expect(Object.keys(got).every((name) => name in want), `outputs ${Object.keys(got)}`).toBe(true);
    for (const [name, w] of Object.entries(want)) {
      if (!(name in got) && oracle !== model) continue;
      expect(got[name].dims, `${name}: dims`).toEqual(w.dims);
      expectClose(got[name].data, w.data, name);
    }
    return { ...session.stats };
  } finally {
    session.dispose();
  }
}

/** Shorthand: one op, checked against ORT; `software: false` selects the variants meant for real GPUs. */
export async function checkSingleOp(spec: SingleOpSpec, options: SessionOptions = {}): Promise<SessionStats> {
  const { model, feeds } = singleOp(spec);
  return expectMatchesOrt(model, feeds, options);
}

/** The engine's session creation must reject the model with UnsupportedVariantError. */
export async function expectUnsupported(model: Uint8Array): Promise<void> {
  const { device } = await getTestDevice();
  await expect(InferenceSession.create(device, model, { warmup: false })).rejects.toMatchObject({ code: 'unsupported_variant' });
}
