import { describe, expect, it } from 'vitest';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { getTestDevice } from '../test/helpers/device.ts';
import { randomFloat32 } from '../test/helpers/random.ts';
import { KERNELS } from './ops/registry.ts';
import { parseModel } from './onnx/parse.ts';
import { optimize } from './optimize.ts';
import { modelInfo } from './model-info.ts';
import { InferenceSession } from './session.ts';
import { maxAbsDiff } from '../engine-cli/tolerance.ts';

/** x [1,2,5,5] -> Conv(W 3x2x3x3, pad 1) -> c; callers add what follows. */
function convBase(opset = 13): ModelBuilder {
  return new ModelBuilder({ opset })
    .input('x', [1, 2, 5, 5])
    .initializer('W', [3, 2, 3, 3], randomFloat32(54, 1))
    .initializer('B', [3], randomFloat32(3, 2))
    .node('Conv', ['x', 'W', 'B'], ['c'], { pads: attr.ints([1, 1, 1, 1]) }, { name: 'conv' });
}

const optimized = (b: ModelBuilder) => optimize(parseModel(b.toBytes()), KERNELS);

describe('optimize: pass-through ops', () => {
  it('should remove Identity and Dropout between nodes', () => {
    const g = optimized(convBase().output('y', [1, 3, 5, 5]).node('Identity', ['c'], ['i']).node('Dropout', ['i'], ['d']).node('Sigmoid', ['d'], ['s']).node('Add', ['s', 's'], ['y']));
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv', 'Add']); // Sigmoid fused into the conv
    expect(g.nodes[1].inputs).toEqual(['s', 's']);
    expect(g.nodes[0].outputs).toEqual(['s']);
  });

  it('should remove an Identity that feeds a graph output and map the output to its input', () => {
    const g = optimized(convBase().output('y', [1, 3, 5, 5]).node('Identity', ['c'], ['y']));
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv']);
    expect(g.outputValues.get('y')).toBe('c');
  });

  it('should remove a Dropout feeding a graph output, also with an unused mask output', () => {
    const g = optimized(convBase().output('y', [1, 3, 5, 5]).node('Dropout', ['c'], ['y', 'mask']));
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv']);
    expect(g.outputValues.get('y')).toBe('c');
  });
});

describe('optimize: activation fusion', () => {
  it('should fuse Relu into the conv', () => {
    const g = optimized(convBase().output('y', [1, 3, 5, 5]).node('Relu', ['c'], ['y']));
    expect(g.nodes).toHaveLength(1);
    expect(g.nodes[0].activation).toEqual({ kind: 'relu' });
    expect(g.nodes[0].outputs).toEqual(['y']);
  });

  it('should fuse LeakyRelu with its alpha', () => {
    const g = optimized(convBase().output('y', [1, 3, 5, 5]).node('LeakyRelu', ['c'], ['y'], { alpha: attr.float(0.25) }));
    expect(g.nodes[0].activation).toEqual({ kind: 'leakyrelu', alpha: 0.25 });
  });

  it('should fuse opset-11 Clip whose min/max are constant initializers', () => {
    const b = convBase(13).output('y', [1, 3, 5, 5]).initializer('lo', [], Float32Array.of(0)).initializer('hi', [], Float32Array.of(6));
    const g = optimized(b.node('Clip', ['c', 'lo', 'hi'], ['y']));
    expect(g.nodes).toHaveLength(1);
    expect(g.nodes[0].activation).toEqual({ kind: 'clip', min: 0, max: 6 });
  });

  it('should fuse opset-11 Clip whose bounds come from Constant nodes, with min omitted', () => {
    // ModelBuilder has no tensor attribute: a value_float Constant gives the same scalar.
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', [1, 2, 5, 5])
      .output('y', [1, 3, 5, 5])
      .initializer('W', [3, 2, 3, 3], randomFloat32(54, 1))
      .node('Constant', [], ['hi'], { value_float: attr.float(6) })
      .node('Conv', ['x', 'W'], ['c'], { pads: attr.ints([1, 1, 1, 1]) })
      .node('Clip', ['c', '', 'hi'], ['y'])
      .toBytes();
    const g = optimize(parseModel(bytes), KERNELS);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv']);
    expect(g.nodes[0].activation).toEqual({ kind: 'clip', min: -3.4028234663852886e38, max: 6 });
  });

  it('should not fuse opset-11 Clip whose bound is a graph input', () => {
    const b = convBase(13).input('lo', []).output('y', [1, 3, 5, 5]);
    const g = optimized(b.node('Clip', ['c', 'lo'], ['y']));
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv', 'Clip']);
    expect(g.nodes[0].activation).toBeUndefined();
  });

  it('should fuse opset-6-style Clip with min/max attributes (opset 10)', () => {
    const g = optimized(convBase(10).output('y', [1, 3, 5, 5]).node('Clip', ['c'], ['y'], { min: attr.float(-1), max: attr.float(1) }));
    expect(g.nodes).toHaveLength(1);
    expect(g.nodes[0].activation).toEqual({ kind: 'clip', min: -1, max: 1 });
  });

  it('should NOT fuse when the conv output has another consumer', () => {
    const b = convBase().output('y', [1, 3, 5, 5]).output('z', [1, 3, 5, 5]);
    const g = optimized(b.node('Relu', ['c'], ['y']).node('Sigmoid', ['c'], ['z']));
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'Sigmoid']);
    expect(g.nodes[0].activation).toBeUndefined();
    expect(g.nodes[0].outputs).toEqual(['c']);
  });

  it('should NOT fuse when the conv output is itself a graph output', () => {
    const g = optimized(convBase().output('c', [1, 3, 5, 5]).output('y', [1, 3, 5, 5]).node('Relu', ['c'], ['y']));
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu']);
    expect(g.nodes[0].activation).toBeUndefined();
  });
});

describe('optimize: Constant and BatchNormalization', () => {
  it('should turn a Constant node into an initializer (int64 Reshape shape)', () => {
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', [1, 2, 3, 4])
      .output('y', [1, 24])
      .node('Constant', [], ['shape'], { value_ints: attr.ints([1, -1]) }, { name: 'shape_const' })
      .node('Reshape', ['x', 'shape'], ['y'])
      .toBytes();
    const g = optimize(parseModel(bytes), KERNELS);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Reshape']);
    expect(g.constants.get('shape')).toEqual({ dims: [2], dataType: 'int64', ints: [1, -1] });
  });

  it("should treat nodes spelled in domain 'ai.onnx' as the default domain", () => {
    const b = convBase()
      .output('y', [1, 3, 5, 5])
      .node('Constant', [], ['hi'], { value_float: attr.float(6) }, { domain: 'ai.onnx' })
      .node('Clip', ['c', '', 'hi'], ['y'], {}, { domain: 'ai.onnx' });
    const graph = parseModel(b.toBytes());
    expect(graph.nodes.map((n) => n.domain)).toEqual(['', '', '']);
    const g = optimize(graph, KERNELS);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv']);
    expect(g.nodes[0].activation).toEqual({ kind: 'clip', min: -3.4028234663852886e38, max: 6 });
    const info = modelInfo(graph, KERNELS);
    expect(Object.keys(info.opCounts)).toEqual(['Conv', 'Constant', 'Clip']);
    expect(info.unsupportedOps).toEqual([]);
  });

  const bnModel = (): Uint8Array =>
    convBase()
      .output('y', [1, 3, 5, 5])
      .initializer('gamma', [3], Float32Array.of(1.5, 0.5, -2))
      .initializer('beta', [3], Float32Array.of(0.1, -0.2, 0.3))
      .initializer('mean', [3], Float32Array.of(0.05, -0.1, 0.2))
      .initializer('var', [3], Float32Array.of(0.9, 1.7, 0.3))
      .node('BatchNormalization', ['c', 'gamma', 'beta', 'mean', 'var'], ['bn'], { epsilon: attr.float(1e-3) })
      .node('Relu', ['bn'], ['y'])
      .toBytes();

  it('should fold BatchNormalization into the conv and then fuse the Relu', () => {
    const g = optimize(parseModel(bnModel()), KERNELS);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Conv']);
    expect(g.nodes[0].activation).toEqual({ kind: 'relu' });
    expect(g.nodes[0].inputs[1]).not.toBe('W'); // new weights; the original stays for other users
    expect(g.constants.get('W')!.floats).toEqual(randomFloat32(54, 1));
  });

  it('should give the same output as onnxruntime on the unfolded model', async () => {
    const model = bnModel();
    const x = randomFloat32(50, 7);
    const want = (await runOrt(model, { x: { data: x, dims: [1, 2, 5, 5] } })).y;
    const { device } = await getTestDevice();
    const session = await InferenceSession.create(device, model);
    try {
      const got = (await session.run({ x })).y;
      expect(session.stats.dispatches).toBe(1);
      expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-4);
    } finally {
      session.dispose();
    }
  });
});
