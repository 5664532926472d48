/**
 * Empty tensors (a 0 dim) against onnxruntime: a value with no elements is valid and has no buffer. Empty graph
 * inputs and outputs, a Slice whose empty result feeds a Concat (dropped there), a Split with a zero-size piece,
 * reductions of an empty input (folded on the CPU), and the refusal of a kernel that would read an empty value
 * to write a non-empty one.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../../engine/index.ts';
import { ModelBuilder, type Attribute } from '../../models/onnx-builder.ts';
import { getTestDevice } from '../helpers/device.ts';
import { attr, expectMatchesOrt, randomFeeds, symbolic } from './op-model.ts';

/** One float input `x` of `dims` (declared as given: a declared 0 needs `inputShapes`), one node, its outputs. */
function oneNode(op: string, dims: number[], outputs: number[], attributes: Record<string, Attribute> = {}, ints?: number[], opset = 13): Uint8Array {
  const b = new ModelBuilder({ opset }).input('x', dims);
  const inputs = ['x'];
  if (ints) {
    b.initializerInt64('ints', [ints.length], ints);
    inputs.push('ints');
  }
  const names = outputs.map((_, k) => `y${k}`);
  b.node(op, inputs, names, attributes, { name: `${op.toLowerCase()}_node` });
  names.forEach((n, k) => b.output(n, symbolic(outputs[k])));
  return b.toBytes();
}

describe('empty tensors', () => {
  it('an empty graph input gives an empty graph output, with no buffer and no dispatch', async () => {
    const stats = await expectMatchesOrt(oneNode('Relu', [0, 3], [2]), randomFeeds({ x: [0, 3] }), { inputShapes: { x: [0, 3] } });
    expect(stats.dispatches).toBe(0);
    expect(stats.uploadBytesPerRun).toBe(0);
    expect(stats.readbackBytesPerRun).toBe(0);
  });

  it('a Slice with an empty result is a graph output of dims [20, 0, 5], with no dispatch', async () => {
    const b = new ModelBuilder({ opset: 13 }).input('x', [20, 10, 5]);
    b.initializerInt64('starts', [1], [1000]).initializerInt64('ends', [1], [1000]).initializerInt64('axes', [1], [1]);
    b.node('Slice', ['x', 'starts', 'ends', 'axes'], ['y'], {}, { name: 'slice_node' });
    b.output('y', symbolic(3));
    const stats = await expectMatchesOrt(b.toBytes(), randomFeeds({ x: [20, 10, 5] }));
    expect(stats.dispatches).toBe(0);
    expect(stats.readbackBytesPerRun).toBe(0);
  });

  /** x -> Slice to [n, 0] and Relu; Concat(empty, relu, empty) on axis 1; the empty slice is a graph output too. */
  function sliceIntoConcat(n: number): Uint8Array {
    const b = new ModelBuilder({ opset: 13 }).input('x', [n, 5]);
    b.initializerInt64('starts', [1], [3]).initializerInt64('ends', [1], [3]).initializerInt64('axes', [1], [1]);
    b.node('Slice', ['x', 'starts', 'ends', 'axes'], ['empty'], {}, { name: 'slice_node' });
    b.node('Relu', ['x'], ['r'], {}, { name: 'relu_node' });
    b.node('Concat', ['empty', 'r', 'empty'], ['y'], { axis: attr.int(1) }, { name: 'concat_node' });
    return b.output('y', [n, 5]).output('empty', [n, 0]).toBytes();
  }

  it('a Slice producing a 0 dim feeds a Concat, which drops it', async () => {
    const stats = await expectMatchesOrt(sliceIntoConcat(2), randomFeeds({ x: [2, 5] }));
    // Relu and one copy for the one piece left (not in place: the axis is not the outermost non-1 dim).
    expect(stats.kernels).toEqual({ relu: 1, concat: 1 });
  });

  it('a Concat written in place keeps its place without the empty pieces', async () => {
    const stats = await expectMatchesOrt(sliceIntoConcat(1), randomFeeds({ x: [1, 5] }));
    expect(stats.kernels).toEqual({ relu: 1 });
  });

  it('a Split with a zero-size piece runs no dispatch for it', async () => {
    const stats = await expectMatchesOrt(oneNode('Split', [4, 6], [2, 2, 2], { axis: attr.int(1) }, [2, 0, 4]), randomFeeds({ x: [4, 6] }));
    expect(stats.dispatches).toBe(2);
  });

  // ONNX defines these over an empty set (0, -inf, +inf, 1, -inf); ReduceMean's is undefined (ours is NaN, onnxruntime's 0).
  it.each(['ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceLogSum'])('%s over an empty axis folds on the CPU as onnxruntime computes it', async (op) => {
    const stats = await expectMatchesOrt(oneNode(op, [0, 3], [1], { axes: attr.ints([0]), keepdims: attr.int(0) }, undefined, 11), randomFeeds({ x: [0, 3] }), { inputShapes: { x: [0, 3] } });
    expect(stats.dispatches).toBe(0);
  });

  it('a kernel that would read an empty value to write a non-empty one is refused, naming the node', async () => {
    const b = new ModelBuilder({ opset: 13 }).input('a', [2, 'k']).input('b', ['k', 3]);
    b.node('MatMul', ['a', 'b'], ['y'], {}, { name: 'matmul_node' });
    b.output('y', [2, 3]);
    const { device } = await getTestDevice();
    const created = InferenceSession.create(device, b.toBytes(), { warmup: false, inputShapes: { a: [2, 0], b: [0, 3] } });
    await expect(created).rejects.toMatchObject({ code: 'invalid_shape', message: 'MatMul (node "matmul_node") reads "a", which has no elements (shape [2,0]), in a kernel that produces a non-empty output; only Concat drops an empty input' });
  });
});
