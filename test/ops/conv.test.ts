/** Conv against onnxruntime: every kernel variant (tiled, 1x1 pointwise, grouped/depthwise) and the awkward cases. */
import { describe, expect, it } from 'vitest';
import { attr, checkSingleOp, expectMatchesOrt, expectUnsupported, singleOp, symbolic } from './op-model.ts';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { randomFloat32 } from '../helpers/random.ts';
import { InferenceSession, type SessionOptions } from '../../engine/index.ts';
import { getTestDevice } from '../helpers/device.ts';

type Attrs = Parameters<typeof checkSingleOp>[0]['attributes'];

/** A Conv with constant weights [cout, cin/group, kh, kw] and bias. */
function conv(x: number[], w: number[], attributes: Attrs = {}, bias = true, options: SessionOptions = {}) {
  return checkSingleOp(
    {
      op: 'Conv',
      operands: [{ name: 'x', dims: x }, { name: 'w', dims: w, constant: true }, bias ? { name: 'b', dims: [w[0]], constant: true } : null],
      attributes,
      outputs: [symbolic(4)],
    },
    options,
  );
}

describe('Conv, tiled kernel (group 1)', () => {
  it('3x3 pad 1 (SqueezeNet expand3x3)', async () => {
    const stats = await conv([1, 16, 13, 13], [64, 16, 3, 3], { pads: attr.ints([1, 1, 1, 1]) });
    expect(stats.kernels).toEqual({ conv2d_tiled: 1 });
  });
  it('3x3 stride 2 on an odd size, 3 input channels (SqueezeNet conv1)', () => conv([1, 3, 33, 33], [64, 3, 3, 3], { strides: attr.ints([2, 2]) }));
  it('7x7 stride 2 pad 3 (SqueezeNet 1.0 conv1)', () => conv([1, 3, 31, 29], [24, 3, 7, 7], { strides: attr.ints([2, 2]), pads: attr.ints([3, 3, 3, 3]) }));
  it('channel counts not a multiple of 4 or 8', () => conv([1, 5, 9, 11], [7, 5, 3, 3], { pads: attr.ints([1, 1, 1, 1]) }));
  it('asymmetric pads', () => conv([1, 4, 10, 9], [6, 4, 3, 2], { pads: attr.ints([0, 2, 1, 0]) }));
  it('auto_pad SAME_UPPER with stride 2', () => conv([1, 3, 10, 11], [8, 3, 4, 3], { strides: attr.ints([2, 2]), auto_pad: attr.string('SAME_UPPER') }));
  it('auto_pad SAME_LOWER', () => conv([1, 3, 9, 10], [8, 3, 4, 4], { auto_pad: attr.string('SAME_LOWER') }));
  it('auto_pad VALID', () => conv([1, 3, 9, 10], [8, 3, 3, 3], { auto_pad: attr.string('VALID') }));
  it('dilations', () => conv([1, 4, 12, 13], [8, 4, 3, 3], { dilations: attr.ints([2, 3]), pads: attr.ints([2, 3, 2, 3]) }));
  it('batch of 3, no bias', () => conv([3, 6, 8, 8], [10, 6, 3, 3], { pads: attr.ints([1, 1, 1, 1]) }, false));
  it('non-square kernel and stride', () => conv([1, 3, 15, 12], [5, 3, 5, 1], { strides: attr.ints([3, 1]) }));
});

describe('Conv, pointwise kernel (1x1, stride 1, no pads)', () => {
  it('squeeze 64 -> 16 at 55x55', async () => {
    const stats = await conv([1, 64, 55, 55], [16, 64, 1, 1]);
    expect(stats.kernels).toEqual({ conv2d_1x1: 1 });
  });
  it('512 -> 1000 at 13x13 (SqueezeNet conv10)', () => conv([1, 512, 13, 13], [1000, 512, 1, 1]));
  it('odd channel counts and a plane not a multiple of 8', () => conv([2, 3, 5, 7], [5, 3, 1, 1]));
  it('1x1 with stride 2 takes the tiled kernel', async () => {
    const stats = await conv([1, 8, 9, 9], [12, 8, 1, 1], { strides: attr.ints([2, 2]) });
    expect(stats.kernels).toEqual({ conv2d_tiled: 1 });
  });
});

// The workgroup-memory GEMM is chosen on hardware adapters; `software: false` makes this adapter run it too.
describe('Conv, pointwise kernel for hardware GPUs (workgroup memory)', () => {
  const hardware = { software: false };
  it('squeeze 64 -> 16 at 55x55', async () => {
    const stats = await conv([1, 64, 55, 55], [16, 64, 1, 1], {}, true, hardware);
    expect(stats.kernels).toEqual({ conv2d_1x1_shared: 1 });
  });
  it('512 -> 1000 at 13x13 (SqueezeNet conv10), partial tiles on both axes', () => conv([1, 512, 13, 13], [1000, 512, 1, 1], {}, true, hardware));
  it('input channels not a multiple of the 8-channel step, batch 2, no bias', () => conv([2, 13, 7, 9], [6, 13, 1, 1], {}, false, hardware));
  it('with a fused Relu', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', [1, 20, 6, 6]).initializer('w', [36, 20, 1, 1], randomFloat32(720, 94));
    b.node('Conv', ['x', 'w'], ['c']);
    b.node('Relu', ['c'], ['y']);
    b.output('y', symbolic(4));
    const stats = await expectMatchesOrt(b.toBytes(), { x: { data: randomFloat32(720, 95), dims: [1, 20, 6, 6] } }, hardware);
    expect(stats.kernels).toEqual({ conv2d_1x1_shared: 1 });
  });
});

describe('Conv, grouped kernel', () => {
  it('group 2', async () => {
    const stats = await conv([1, 8, 9, 9], [12, 4, 3, 3], { group: attr.int(2), pads: attr.ints([1, 1, 1, 1]) });
    expect(stats.kernels).toEqual({ conv2d: 1 });
  });
  it('depthwise with channel multiplier 2, odd group width', async () => {
    expect((await conv([1, 3, 8, 9], [6, 1, 3, 3], { group: attr.int(3) })).kernels).toEqual({ conv2d: 1 });
  });
  it('group 3 with 3 outputs per group', () => conv([2, 9, 7, 7], [9, 3, 1, 1], { group: attr.int(3) }));
});

describe('Conv, depthwise kernel (one filter per channel; rows of 4 outputs per invocation)', () => {
  const depthwise = async (x: number[], k: number, attributes: Attrs, bias = true) => {
    const stats = await conv(x, [x[1], 1, k, k], { group: attr.int(x[1]), ...attributes }, bias);
    expect(stats.kernels).toEqual({ conv2d_depthwise: 1 });
  };
  it('3x3 stride 2, padded, width 10 (a partial run of 4 at the row end)', () => depthwise([1, 6, 11, 10], 3, { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }));
  it('5x5 stride 1 (EfficientNet, MNASNet), width 7, batch 2, no bias', () => depthwise([2, 4, 9, 7], 5, { pads: attr.ints([2, 2, 2, 2]) }, false));
  it('3x3 dilation 2, asymmetric pads, output width 1', () => depthwise([1, 3, 6, 3], 3, { dilations: attr.ints([2, 2]), pads: attr.ints([2, 0, 1, 2]) }));
  it('7x7 stride 2 wider than the input, no padding', () => depthwise([1, 2, 16, 13], 7, { strides: attr.ints([2, 2]) }));
});

describe('Conv with fused activations', () => {
  const fused = async (act: string, attributes: Attrs = {}, opset = 13) => {
    const b = new ModelBuilder({ opset });
    b.input('x', [1, 6, 9, 9]).initializer('w', [10, 6, 3, 3], randomFloat32(540, 91)).initializer('b', [10], randomFloat32(10, 92));
    b.node('Conv', ['x', 'w', 'b'], ['c'], { pads: attr.ints([1, 1, 1, 1]) });
    b.node(act, ['c'], ['y'], attributes);
    b.output('y', symbolic(4));
    const stats = await expectMatchesOrt(b.toBytes(), { x: { data: randomFloat32(486, 93), dims: [1, 6, 9, 9] } });
    expect(stats.dispatches).toBe(1);
  };
  it('Relu', () => fused('Relu'));
  it('LeakyRelu', () => fused('LeakyRelu', { alpha: attr.float(0.2) }));
  it('Clip (opset 6 attributes)', () => fused('Clip', { min: attr.float(-0.1), max: attr.float(0.3) }, 7));
  it('Sigmoid', () => fused('Sigmoid'));
});

// engine/residual.ts: Add(conv(x), skip) [+ Relu] runs in the conv's epilogue when both operands have the output's shape.
describe('Conv with a fused residual Add', () => {
  const feeds = (dims: number[], seed: number) => ({ x: { data: randomFloat32(dims.reduce((a, d) => a * d, 1), seed), dims } });
  const weights = (b: ModelBuilder, name: string, dims: number[], seed: number) =>
    b.initializer(name, dims, randomFloat32(dims.reduce((a, d) => a * d, 1), seed)).initializer(`${name}_b`, [dims[0]], randomFloat32(dims[0], seed + 1));
  const pad1 = { pads: attr.ints([1, 1, 1, 1]) };

  it('basic block: the skip is the graph input, Add then Relu', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', [1, 8, 9, 7]);
    weights(b, 'w1', [8, 8, 3, 3], 101);
    weights(b, 'w2', [8, 8, 3, 3], 103);
    b.node('Conv', ['x', 'w1', 'w1_b'], ['c1'], pad1).node('Relu', ['c1'], ['r1']);
    b.node('Conv', ['r1', 'w2', 'w2_b'], ['c2'], pad1).node('Add', ['c2', 'x'], ['s']).node('Relu', ['s'], ['y']);
    b.output('y', symbolic(4));
    const stats = await expectMatchesOrt(b.toBytes(), feeds([1, 8, 9, 7], 105));
    expect(stats.kernels).toEqual({ conv2d_tiled: 2 });
  });

  it('downsample block: the skip conv comes after the main conv, skip is Add\'s first operand, batch 2', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', [2, 6, 10, 9]);
    weights(b, 'wm', [12, 6, 3, 3], 111);
    weights(b, 'wd', [12, 6, 1, 1], 113);
    b.node('Conv', ['x', 'wm', 'wm_b'], ['main'], { ...pad1, strides: attr.ints([2, 2]) });
    b.node('Conv', ['x', 'wd', 'wd_b'], ['down'], { strides: attr.ints([2, 2]) });
    b.node('Add', ['down', 'main'], ['s']).node('Relu', ['s'], ['y']);
    b.output('y', symbolic(4));
    const stats = await expectMatchesOrt(b.toBytes(), feeds([2, 6, 10, 9], 115));
    expect(stats.dispatches).toBe(2);
  });

  it('pointwise projection without bias or activation (MobileNetV2), and depthwise with a residual', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', [1, 5, 6, 11]);
    weights(b, 'wp', [5, 5, 1, 1], 121);
    weights(b, 'wd', [5, 1, 3, 3], 123);
    b.node('Conv', ['x', 'wp'], ['p']).node('Add', ['x', 'p'], ['s']);
    b.node('Conv', ['s', 'wd', 'wd_b'], ['d'], { ...pad1, group: attr.int(5) }).node('Add', ['d', 's'], ['y']);
    b.output('y', symbolic(4));
    const stats = await expectMatchesOrt(b.toBytes(), feeds([1, 5, 6, 11], 125));
    expect(stats.kernels).toEqual({ conv2d_1x1: 1, conv2d_depthwise: 1 });
  });

  it('the workgroup-memory pointwise kernel (hardware GPUs)', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', [1, 36, 7, 6]);
    weights(b, 'w', [36, 36, 1, 1], 131);
    b.node('Conv', ['x', 'w', 'w_b'], ['c']).node('Add', ['c', 'x'], ['s']).node('Relu', ['s'], ['y']);
    b.output('y', symbolic(4));
    const stats = await expectMatchesOrt(b.toBytes(), feeds([1, 36, 7, 6], 133), { software: false });
    expect(stats.kernels).toEqual({ conv2d_1x1_shared: 1 });
  });

  it('stays a separate Add when it broadcasts, when the conv output is also read elsewhere, or after a fused Relu', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', [1, 4, 5, 5]).input('scale', [1, 4, 1, 1]);
    weights(b, 'w', [4, 4, 3, 3], 141);
    b.node('Conv', ['x', 'w', 'w_b'], ['c'], pad1).node('Add', ['c', 'scale'], ['broadcast']);
    b.node('Conv', ['x', 'w', 'w_b'], ['c2'], pad1).node('Add', ['c2', 'x'], ['shared']);
    b.node('Conv', ['x', 'w', 'w_b'], ['c3'], pad1).node('Relu', ['c3'], ['r3']).node('Add', ['r3', 'x'], ['after_relu']);
    b.output('broadcast', symbolic(4)).output('shared', symbolic(4)).output('c2', symbolic(4)).output('after_relu', symbolic(4));
    const stats = await expectMatchesOrt(b.toBytes(), { ...feeds([1, 4, 5, 5], 143), scale: { data: randomFloat32(4, 145), dims: [1, 4, 1, 1] } });
    expect(stats.kernels).toEqual({ conv2d_tiled: 3, add: 3 });
  });
});

// A Conv output over maxStorageBufferBindingSize (128 MiB on llvmpipe and WebGPU's default) is written by several
// dispatches, each binding a range of it; the expected dispatch count follows the device's limit.
describe('Conv with an output over the binding limit', () => {
  const overLimit = async (x: number[], w: number[], attributes: Attrs, splitDispatches: number) => {
    const stats = await conv(x, w, attributes);
    const limit = (await getTestDevice()).device.limits.maxStorageBufferBindingSize;
    const outBytes = x[0] * w[0] * x[2] * x[3] * 4;
    expect(stats.dispatches).toBe(outBytes > limit ? splitDispatches : 1);
  };
  it('1x1 to 1000 channels at 224x224 (200 MB): blocks of output channels', () => overLimit([1, 2, 224, 224], [1000, 2, 1, 1], {}, 2));
  it('3x3 pad 1, batch 2 x 400 channels at 224x224 (161 MB): one block per batch item', () =>
    overLimit([2, 2, 224, 224], [400, 2, 3, 3], { pads: attr.ints([1, 1, 1, 1]) }, 2));
  it('an input over the limit that the op cannot split is refused naming the tensor', async () => {
    const { model } = singleOp({
      op: 'Conv',
      operands: [{ name: 'big', dims: [1, 700, 224, 224] }, { name: 'w', dims: [700, 1, 3, 3], constant: true }],
      attributes: { group: attr.int(700), pads: attr.ints([1, 1, 1, 1]) },
      outputs: [symbolic(4)],
    });
    const { device } = await getTestDevice();
    const created = InferenceSession.create(device, model, { warmup: false });
    if (700 * 224 * 224 * 4 <= device.limits.maxStorageBufferBindingSize) return void (await created).dispose();
    await expect(created).rejects.toMatchObject({ code: 'limit_exceeded', message: expect.stringContaining('big') });
  });
});

describe('Conv variants we refuse', () => {
  it('3-D convolution', () => expectUnsupported(singleOp({
    op: 'Conv', operands: [{ name: 'x', dims: [1, 2, 4, 4, 4] }, { name: 'w', dims: [3, 2, 2, 2, 2], constant: true }], outputs: [symbolic(5)],
  }).model));
});

/** A Conv whose W (and B) are graph inputs: re-laid out on the GPU before the conv, every run. */
function convAtRunTime(x: number[], w: number[], attributes: Attrs = {}, bias: 'input' | 'constant' | 'none' = 'input', options: SessionOptions = {}) {
  return checkSingleOp(
    {
      op: 'Conv',
      operands: [{ name: 'x', dims: x }, { name: 'w', dims: w }, bias === 'none' ? null : { name: 'b', dims: [w[0]], constant: bias === 'constant' }],
      attributes,
      outputs: [symbolic(x.length)],
    },
    options,
  );
}

describe('Conv with weights computed at run time', () => {
  it('tiled 3x3, W and B graph inputs', async () => {
    const stats = await convAtRunTime([1, 5, 9, 11], [7, 5, 3, 3], { pads: attr.ints([1, 1, 1, 1]) });
    expect(stats.kernels).toEqual({ conv_weights_layout: 1, conv2d_tiled: 1 });
  });
  it('tiled, W a graph input, no bias, stride 2', () => convAtRunTime([2, 3, 12, 10], [9, 3, 3, 2], { strides: attr.ints([2, 2]) }, 'none'));
  it('constant W with a run-time B', () => checkSingleOp({
    op: 'Conv',
    operands: [{ name: 'x', dims: [1, 4, 6, 6] }, { name: 'w', dims: [6, 4, 3, 3], constant: true }, { name: 'b', dims: [6] }],
    outputs: [symbolic(4)],
  }));
  it('pointwise on the workgroup-memory variant (real GPUs)', async () => {
    const stats = await convAtRunTime([1, 16, 7, 9], [40, 16, 1, 1], {}, 'constant', { software: false });
    expect(stats.kernels).toEqual({ conv_weights_layout: 1, conv2d_1x1_shared: 1 });
  });
  it('grouped and depthwise (ONNX layout)', async () => {
    expect((await convAtRunTime([1, 8, 7, 7], [12, 4, 3, 3], { group: attr.int(2), pads: attr.ints([1, 1, 1, 1]) })).kernels).toEqual({ conv_weights_layout: 1, conv2d: 1 });
    expect((await convAtRunTime([2, 6, 9, 8], [6, 1, 3, 3], { group: attr.int(6) }, 'none')).kernels).toEqual({ conv_weights_layout: 1, conv2d_depthwise: 1 });
  });
  it('W computed by another node (W * 2), then Relu and a residual Add fused into the conv', () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', [1, 6, 8, 8]);
    b.input('w', [6, 6, 3, 3]);
    b.initializer('two', [], Float32Array.of(2));
    b.node('Mul', ['w', 'two'], ['w2']);
    b.node('Conv', ['x', 'w2'], ['c'], { pads: attr.ints([1, 1, 1, 1]) });
    b.node('Add', ['c', 'x'], ['s']);
    b.node('Relu', ['s'], ['y']);
    b.output('y', [1, 6, 8, 8]);
    return expectMatchesOrt(b.toBytes(), { x: { data: randomFloat32(384, 31), dims: [1, 6, 8, 8] }, w: { data: randomFloat32(324, 32, 0.3), dims: [6, 6, 3, 3] } });
  });
});

describe('Conv 1-D (NCW, as 2-D with height 1)', () => {
  const conv1d = (x: number[], w: number[], attributes: Attrs = {}, constant = true) => checkSingleOp({
    op: 'Conv',
    operands: [{ name: 'x', dims: x }, { name: 'w', dims: w, constant }, { name: 'b', dims: [w[0]], constant }],
    attributes,
    outputs: [symbolic(3)],
  });
  it('kernel 3, pads 1', () => conv1d([2, 4, 17], [6, 4, 3], { pads: attr.ints([1, 1]) }));
  it('stride 2, dilation 2, asymmetric pads', () => conv1d([1, 3, 20], [5, 3, 4], { strides: attr.ints([2]), dilations: attr.ints([2]), pads: attr.ints([2, 0]) }));
  it('auto_pad SAME_UPPER, grouped', () => conv1d([1, 6, 11], [9, 2, 4], { auto_pad: attr.string('SAME_UPPER'), group: attr.int(3) }));
  it('weights as graph inputs', () => conv1d([1, 5, 13], [7, 5, 5], {}, false));
});
