import { afterEach, describe, expect, it } from 'vitest';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { getTestDevice } from '../test/helpers/device.ts';
import { randomFloat32 } from '../test/helpers/random.ts';
import { InferenceSession, MAX_PLANS_PER_SESSION } from './session.ts';
import { EngineError, InvalidInputError, UnsupportedOpError } from './errors.ts';
import { maxAbsDiff } from '../engine-cli/tolerance.ts';
import { trackBuffers } from '../test/helpers/buffers.ts';

/** Conv(8, 3x3, stride 2, pad 1) + Relu + Conv(4, 3x3, pad 1) on 1x3x32x32 -> 1x4x16x16. */
function convNet(): Uint8Array {
  return new ModelBuilder({ opset: 13 })
    .input('x', [1, 3, 32, 32])
    .output('y', [1, 4, 16, 16])
    .initializer('W1', [8, 3, 3, 3], randomFloat32(216, 11, 0.5))
    .initializer('B1', [8], randomFloat32(8, 12, 0.1))
    .initializer('W2', [4, 8, 3, 3], randomFloat32(288, 13, 0.5))
    .node('Conv', ['x', 'W1', 'B1'], ['c1'], { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) })
    .node('Relu', ['c1'], ['r1'])
    .node('Conv', ['r1', 'W2'], ['y'], { pads: attr.ints([1, 1, 1, 1]) })
    .toBytes();
}
const X_DIMS = [1, 3, 32, 32];
const X_SIZE = 3 * 32 * 32;

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function open(model: Uint8Array): Promise<InferenceSession> {
  const { device } = await getTestDevice();
  const session = await InferenceSession.create(device, model);
  cleanups.push(() => session.dispose());
  return session;
}

describe('InferenceSession: unsupported ops', () => {
  it('should list every unsupported node before creating any GPU buffer, and leave the device usable', async () => {
    const { device } = await getTestDevice();
    const model = new ModelBuilder({ opset: 13 })
      .input('x', [1, 3, 8, 8])
      .output('y', [1, 3, 8, 8])
      .output('z', [1, 3, 8, 8])
      .initializer('W', [3, 3, 1, 1], randomFloat32(9, 1))
      .node('Conv', ['x', 'W'], ['c'], {}, { name: 'conv' })
      .node('Celu', ['c'], ['e'], {}, { name: 'my_celu' })
      .node('Mish', ['e'], ['y'], {}, { name: 'my_mish' })
      .node('Mish', ['c'], ['z'], {}, { name: 'my_mish_2' })
      .toBytes();
    const tracker = trackBuffers(device);
    cleanups.push(tracker.restore);
    const error = await InferenceSession.create(device, model).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOpError);
    const e = error as UnsupportedOpError;
    expect(e.nodes.map((n) => `${n.opType}:${n.node}`)).toEqual(['Celu:my_celu', 'Mish:my_mish', 'Mish:my_mish_2']);
    expect(e.message).toMatch(/Celu.*Mish/);
    for (const name of ['my_celu', 'my_mish', 'my_mish_2']) expect(e.message).toContain(`"${name}"`);
    expect(tracker.created).toHaveLength(0);
    tracker.restore();

    const session = await open(convNet());
    const x = randomFloat32(X_SIZE, 5);
    const want = (await runOrt(convNet(), { x: { data: x, dims: X_DIMS } })).y;
    expect(maxAbsDiff((await session.run({ x })).y.data, want.data)).toBeLessThan(1e-4);
  });
});

describe('InferenceSession: invalid inputs', () => {
  it.each([
    ['an unknown input name', { x: new Float32Array(X_SIZE), extra: new Float32Array(1) }, /Unknown input "extra".*"x"/],
    ['a missing input', {}, /Missing input "x".*\[1, 3, 32, 32\]/],
    ['a wrong length', { x: new Float32Array(X_SIZE - 1) }, /"x" has 3071 values.*needs 3072/],
    ['a wrong type', { x: new Float64Array(X_SIZE) as unknown as Float32Array }, /Float32Array/],
  ])('should reject %s with InvalidInputError and keep working', async (_, feeds, message) => {
    const session = await open(convNet());
    const error = await session.run(feeds as Record<string, Float32Array>).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
    const x = randomFloat32(X_SIZE, 6);
    const want = (await runOrt(convNet(), { x: { data: x, dims: X_DIMS } })).y;
    expect(maxAbsDiff((await session.run({ x })).y.data, want.data)).toBeLessThan(1e-4);
  });
});

describe('InferenceSession: dispose', () => {
  it('should destroy every buffer it created, report 0 live buffers and refuse further runs', async () => {
    const { device } = await getTestDevice();
    const tracker = trackBuffers(device);
    cleanups.push(tracker.restore);
    const session = await InferenceSession.create(device, convNet());
    await session.run({ x: randomFloat32(X_SIZE, 1) });
    expect(tracker.created.length).toBeGreaterThan(0);
    expect(session.stats.liveBuffers).toBe(tracker.created.length);
    expect(tracker.destroyed.size).toBe(0);
    session.dispose();
    expect(tracker.created.filter((b) => !tracker.destroyed.has(b))).toEqual([]);
    expect(session.stats.liveBuffers).toBe(0);
    const error = await session.run({ x: new Float32Array(X_SIZE) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('disposed');
  });
});

describe('InferenceSession: repeatability and concurrency', () => {
  it('should give bit-identical outputs over 500 runs of the same input', async () => {
    const session = await open(convNet());
    const x = randomFloat32(X_SIZE, 7);
    const first = (await session.run({ x })).y.data;
    const firstBits = new Uint32Array(first.buffer.slice(0));
    for (let i = 1; i < 500; i++) {
      const bits = new Uint32Array((await session.run({ x })).y.data.buffer);
      let same = bits.length === firstBits.length;
      for (let k = 0; same && k < bits.length; k++) same = bits[k] === firstBits[k];
      if (!same) expect.fail(`run ${i} differs from run 0`);
    }
  });

  it('should give each of 20 concurrent runs its own correct answer', async () => {
    const session = await open(convNet());
    const inputs = Array.from({ length: 20 }, (_, i) => randomFloat32(X_SIZE, 100 + i));
    const wants: Float32Array[] = [];
    for (const x of inputs) wants.push((await runOrt(convNet(), { x: { data: x, dims: X_DIMS } })).y.data);
    const results = await Promise.all(inputs.map((x) => session.run({ x })));
    results.forEach((r, i) => {
      expect(maxAbsDiff(r.y.data, wants[i]), `run ${i}`).toBeLessThan(1e-4);
      // And not another run's answer: neighbours differ by far more than the tolerance.
      expect(maxAbsDiff(r.y.data, wants[(i + 1) % 20])).toBeGreaterThan(1e-2);
    });
  });
});

describe('InferenceSession: host inputs (values read on the CPU to plan)', () => {
  /** Relu(x) reshaped to the int64 `shape` fed at run time, then Relu'd again through a GPU kernel. */
  function reshapeByInput(): Uint8Array {
    return new ModelBuilder({ opset: 13 })
      .input('x', [2, 3, 4])
      .input('shape', [2], 'int64')
      .output('y', [])
      .node('Relu', ['x'], ['r'])
      .node('Reshape', ['r', 'shape'], ['s'])
      .node('Sigmoid', ['s'], ['y'])
      .toBytes();
  }

  it('should plan for each distinct value and answer with the shape it names', async () => {
    const session = await open(reshapeByInput());
    expect(session.inputs.map((i) => i.type)).toEqual(['float32', 'int64']);
    const x = randomFloat32(24, 5);
    const want = x.map((v) => 1 / (1 + Math.exp(-Math.max(v, 0))));
    for (const [shape, dims] of [[[4, 6], [4, 6]], [[-1, 2], [12, 2]], [[0, -1], [2, 12]], [[4, 6], [4, 6]]]) {
      const got = await session.run({ x, shape: BigInt64Array.from(shape, (d) => BigInt(d)) });
      expect(got.y.dims).toEqual(dims);
      expect(maxAbsDiff(got.y.data, want)).toBeLessThan(1e-6);
    }
    expect(session.stats.nodes).toBe(3);
    expect(session.stats.dispatches).toBe(2); // Reshape is a view: Relu and Sigmoid dispatch
  });

  it(`should keep at most MAX_PLANS_PER_SESSION plans, dropping the least recently used`, async () => {
    const session = await open(reshapeByInput());
    const x = randomFloat32(24, 7);
    const shapes = [[24, 1], [1, 24], [2, 12], [12, 2], [3, 8], [8, 3], [4, 6], [6, 4], [24, -1], [-1, 24]];
    for (const shape of shapes) await session.run({ x, shape: BigInt64Array.from(shape, (d) => BigInt(d)) });
    // The session itself plus its plans: the two oldest were disposed.
    expect(session.deviceModel.stats.sessions).toBe(MAX_PLANS_PER_SESSION + 1);
    expect((await session.run({ x, shape: BigInt64Array.from([24n, 1n]) })).y.dims).toEqual([24, 1]);
    session.dispose();
    expect(session.deviceModel.stats.sessions).toBe(0);
  });

  it('should refuse a value the shapes cannot take, and still serve the next request', async () => {
    const session = await open(reshapeByInput());
    const x = randomFloat32(24, 6);
    await expect(session.run({ x, shape: BigInt64Array.from([5n, 5n]) })).rejects.toThrow(/cannot reshape \[2,3,4\] to \[5,5\]/);
    await expect(session.run({ x, shape: new Float32Array(2) as unknown as BigInt64Array })).rejects.toThrow(InvalidInputError);
    expect((await session.run({ x, shape: BigInt64Array.from([24n, 1n]) })).y.dims).toEqual([24, 1]);
  });
});
