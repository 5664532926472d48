/**
 * The three layers together: one prepared model, its weights once per device, plans per input shape. Checked
 * with the real SqueezeNet 1.1 stand-in (four batch sizes, one copy of the weights, counted buffer by buffer)
 * and with the exporter patterns that need folding (Unsqueeze of a bias, the Shape -> Reshape flatten),
 * against onnxruntime.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import { SQUEEZENET11_PATH } from '../models/paths.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { getTestDevice } from '../test/helpers/device.ts';
import { randomFloat32 } from '../test/helpers/random.ts';
import { trackBuffers } from '../test/helpers/buffers.ts';
import { expectMatchesOrt, randomFeeds } from '../test/ops/op-model.ts';
import { maxAbsDiff } from '../engine-cli/tolerance.ts';
import { prepareModel } from './prepare.ts';
import { DeviceModel } from './device-model.ts';
import { InferenceSession } from './session.ts';
import { UnsupportedVariantError } from './errors.ts';
import type { OpDefinition } from './kernel.ts';
import { cast } from './ops/shape-ops.ts';
import { sizeOf } from './shape/broadcast.ts';
import { defineKernel } from './wgsl/kernel.ts';
import { defineParams } from './wgsl/params.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const isWeight = (b: GPUBuffer) => b.label.startsWith('weight:');
const bytesOf = (buffers: GPUBuffer[]) => buffers.reduce((a, b) => a + b.size, 0);

describe('DeviceModel: weights once per device', () => {
  it('four batch plans of SqueezeNet 1.1 hold one copy of the weights; each plan costs only its own buffers', async () => {
    const { device } = await getTestDevice();
    const bytes = new Uint8Array(await readFile(SQUEEZENET11_PATH));
    const tracker = trackBuffers(device);
    cleanups.push(tracker.restore);
    const model = new DeviceModel(device, prepareModel(bytes));
    cleanups.push(() => model.dispose());
    expect(tracker.created).toHaveLength(0); // nothing is uploaded before a plan needs it

    const sessions: InferenceSession[] = [];
    for (const n of [1, 2, 4, 8]) {
      const before = tracker.created.length;
      const session = await InferenceSession.create(model, { inputShapes: { data: [n, 3, 224, 224] }, warmup: false });
      sessions.push(session);
      const made = tracker.created.slice(before);
      // The first plan uploads the weights; later ones find every one of them on the device.
      if (n === 1) expect(made.filter(isWeight).length).toBeGreaterThan(0);
      else expect(made.filter(isWeight), `batch ${n} uploaded weights again`).toEqual([]);
      expect(bytesOf(made.filter((b) => !isWeight(b))), `batch ${n}: plan buffers`).toBe(session.stats.planBytes);
    }
    const weightBytes = model.stats.weightBytes;
    expect(bytesOf(tracker.created.filter(isWeight))).toBeGreaterThanOrEqual(weightBytes);
    // SqueezeNet 1.1 has 1,235,496 parameters; re-layouts pad some convs to whole tiles.
    expect(weightBytes).toBeGreaterThanOrEqual(1_235_496 * 4);
    expect(weightBytes).toBeLessThan(1_235_496 * 4 * 1.1);
    for (const s of sessions) expect(s.stats.weightBytes).toBe(weightBytes);
    // 30 dispatches, 4 pipelines (3x3 conv, 1x1 conv, max pool, average pool): nodes of one kernel share one.
    expect([sessions[0].stats.dispatches, sessions[0].stats.pipelines]).toEqual([30, 4]);
    expect(model.stats.sessions).toBe(4);

    // The shared weights serve every batch: two images in the batch-2 plan match onnxruntime one by one.
    const images = [randomFloat32(3 * 224 * 224, 31), randomFloat32(3 * 224 * 224, 32)];
    const batch = new Float32Array(2 * 3 * 224 * 224);
    images.forEach((x, i) => batch.set(x, i * x.length));
    const got = (await sessions[1].run({ data: batch }))[sessions[1].outputs[0].name];
    expect(got.dims).toEqual([2, 1000]);
    for (const [i, x] of images.entries()) {
      const want = Object.values(await runOrt(bytes, { data: { data: x, dims: [1, 3, 224, 224] } }))[0];
      expect(maxAbsDiff(got.data.subarray(i * 1000, (i + 1) * 1000), want.data), `image ${i}`).toBeLessThan(1e-3);
    }

    // Disposing a plan frees its own buffers only; disposing the DeviceModel frees the weights and the rest.
    const weightsLive = () => tracker.live().filter(isWeight).length;
    const weightBuffers = weightsLive();
    sessions[3].dispose();
    expect(weightsLive()).toBe(weightBuffers);
    expect(model.stats.sessions).toBe(3);
    expect(bytesOf(tracker.live().filter((b) => !isWeight(b)))).toBe(sessions.slice(0, 3).reduce((a, s) => a + s.stats.planBytes, 0));
    model.dispose();
    expect(tracker.live()).toEqual([]);
    expect(sessions.map((s) => s.stats.liveBuffers)).toEqual([0, 0, 0, 0]);
    await expect(sessions[0].run({ data: images[0] })).rejects.toMatchObject({ code: 'disposed' });
  });
});

describe('folding what exporters write', () => {
  /** x -> Conv -> c; Add(c, Unsqueeze(bias)) -> y: PyTorch's per-channel bias after a bias-free conv. */
  function unsqueezeBiasModel(opset: number): Uint8Array {
    const b = new ModelBuilder({ opset })
      .input('x', [1, 4, 5, 5])
      .output('y', [1, 4, 5, 5])
      .initializer('w', [4, 4, 3, 3], randomFloat32(144, 3))
      .initializer('bias', [4], randomFloat32(4, 4));
    if (opset >= 13) b.typedInitializer('axes', 'int64', [2], [1, 2]).node('Unsqueeze', ['bias', 'axes'], ['bu']);
    else b.node('Unsqueeze', ['bias'], ['bu'], { axes: attr.ints([1, 2]) });
    return b.node('Conv', ['x', 'w'], ['c'], { pads: attr.ints([1, 1, 1, 1]) }).node('Add', ['c', 'bu'], ['y'], {}, { name: 'add' }).toBytes();
  }

  it.each([11, 13])('Unsqueeze(initializer, axes=[1,2]) -> Add (opset %i) folds the view and matches onnxruntime', async (opset) => {
    const model = unsqueezeBiasModel(opset);
    expect(prepareModel(model).nodes.map((n) => n.opType)).toEqual(['Conv', 'Add']);
    const stats = await expectMatchesOrt(model, randomFeeds({ x: [1, 4, 5, 5] }));
    expect(stats.kernels).toMatchObject({ add: 1 });
  });

  /** x [N,3,8,8] -> Conv -> c; Reshape(c, Concat(Unsqueeze(Gather(Shape(c), 0)), [-1])) -> Gemm: PyTorch's flatten. */
  function shapeFlattenModel(): Uint8Array {
    return new ModelBuilder({ opset: 13 })
      .input('x', ['N', 3, 8, 8])
      .output('y', ['N', 10])
      .initializer('w', [4, 3, 3, 3], randomFloat32(108, 5))
      .initializer('fc', [10, 256], randomFloat32(2560, 6, 0.1))
      .initializer('fc_b', [10], randomFloat32(10, 7))
      .typedInitializer('zero', 'int64', [], [0])
      .typedInitializer('axis0', 'int64', [1], [0])
      .typedInitializer('minus_one', 'int64', [1], [-1])
      .node('Conv', ['x', 'w'], ['c'], { pads: attr.ints([1, 1, 1, 1]) })
      .node('Shape', ['c'], ['s'])
      .node('Gather', ['s', 'zero'], ['n'])
      .node('Unsqueeze', ['n', 'axis0'], ['n1'])
      .node('Concat', ['n1', 'minus_one'], ['target'], { axis: attr.int(0) })
      .node('Reshape', ['c', 'target'], ['flat'])
      .node('Gemm', ['flat', 'fc', 'fc_b'], ['y'], { transB: attr.int(1) })
      .toBytes();
  }

  it('a Shape -> Gather -> Unsqueeze -> Concat -> Reshape flatten runs at two batch sizes on one DeviceModel and matches onnxruntime', async () => {
    const bytes = shapeFlattenModel();
    const prepared = prepareModel(bytes);
    // The shape chain depends on the input shape: it stays in the prepared model and folds per plan.
    expect(prepared.nodes.map((n) => n.opType)).toEqual(['Conv', 'Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape', 'Gemm']);
    const { device } = await getTestDevice();
    const model = new DeviceModel(device, prepared);
    cleanups.push(() => model.dispose());
    for (const n of [1, 3]) {
      const session = await InferenceSession.create(model, { inputShapes: { x: [n, 3, 8, 8] }, warmup: false });
      expect(session.stats.dispatches, 'the shape chain and the Reshape cost no dispatch').toBe(2);
      const x = randomFloat32(n * 192, 40 + n);
      const want = (await runOrt(bytes, { x: { data: x, dims: [n, 3, 8, 8] } })).y;
      const got = (await session.run({ x })).y;
      expect(got.dims).toEqual([n, 10]);
      expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-4);
    }
  });

  it('a CPU-only op whose input is computed on the GPU is refused when the plan is made, naming the node, before any GPU buffer', async () => {
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', [2, 3])
      .output('y', [2, 3])
      .node('Relu', ['x'], ['r'])
      .node('Cast', ['r'], ['y'], { to: attr.int(1) }, { name: 'cast' })
      .toBytes();
    const { device } = await getTestDevice();
    const tracker = trackBuffers(device);
    cleanups.push(tracker.restore);
    const error = await InferenceSession.create(device, bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedVariantError);
    expect((error as Error).message).toMatch(/^Cast \(node "cast"\): runs on the CPU only.*input 0 \("r"\) is computed on the GPU at run time/);
    expect(tracker.created).toEqual([]);
  });

  it('a graph output that folds entirely is returned from the CPU', async () => {
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', [2, 3])
      .output('y', [2, 3])
      .output('k', [3])
      .initializer('a', [3], Float32Array.of(1, 2, 3))
      .initializer('b', [3], Float32Array.of(0.5, 0.25, 4))
      .node('Mul', ['a', 'b'], ['k'])
      .node('Add', ['x', 'k'], ['y'])
      .toBytes();
    const stats = await expectMatchesOrt(bytes, randomFeeds({ x: [2, 3] }));
    expect(stats.dispatches).toBe(1);
  });
});

describe('uint8 graph inputs', () => {
  /** Cast(uint8 -> float32) on the GPU: what a model that normalises its own RGB crop starts with. */
  const bytesToFloat = defineKernel({
    wgsl: `// kernels/u8_to_f32.wgsl: y[i] = f32(byte i of x), the bytes packed four to a u32 word
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.size) { return; }
  y[i] = f32((x[i / 4u] >> (8u * (i % 4u))) & 0xffu);
}
`,
    family: 'elementwise',
    workgroupSize: 64,
    params: defineParams({ size: 'u32' }),
    bindings: { x: 'u32', y: 'f32' },
  });
  const gpuCast: OpDefinition = {
    ...cast,
    createDispatches: (ctx) => {
      const size = ctx.inputShapes[0]!.reduce((a, b) => a * b, 1);
      return [bytesToFloat.dispatch({ label: `u8_to_f32:${ctx.node.name}`, bindings: { x: { input: 0 }, y: { output: 0 } }, params: { size }, invocations: size })];
    },
  };

  it.each([{ dims: [1, 3, 2, 2] }, { dims: [5] }])('reach a kernel as packed bytes, shape $dims (a ragged last word included)', async ({ dims }) => {
    const bytes = new ModelBuilder({ opset: 13 }).input('rgb', dims, 'uint8').output('y', dims).node('Cast', ['rgb'], ['y'], { to: attr.int(1) }).toBytes();
    const { device } = await getTestDevice();
    const session = await InferenceSession.create(device, bytes, { kernels: { Cast: gpuCast }, warmup: false });
    cleanups.push(() => session.dispose());
    expect(session.inputs).toEqual([{ name: 'rgb', dims, type: 'uint8' }]);
    expect(session.stats.uploadBytesPerRun).toBe(sizeOf(dims));
    const rgb = Uint8Array.from({ length: sizeOf(dims) }, (_, i) => (i * 37 + 250) % 256);
    const y = (await session.run({ rgb })).y;
    expect(Array.from(y.data)).toEqual(Array.from(rgb));
    await expect(session.run({ rgb: Float32Array.from(rgb) })).rejects.toThrow(/Input "rgb" must be a Uint8Array/);
  });
});
