import { describe, expect, it } from 'vitest';
import { reductionLayout } from '../../engine/ops/reduce.ts';
import { InferenceSession } from '../../engine/index.ts';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { getTestDevice } from '../helpers/device.ts';
import { attr, expectMatchesOrt, randomFeeds, symbolic } from './op-model.ts';

const KINDS = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSumExp'];

/** Axes as the op's attribute (opset 13; ReduceSum 11) or as an int64 initializer (opset 18). */
function reduceModel(op: string, dims: number[], axes: number[] | undefined, { keepdims = 1, asInput = false, noop = 0 } = {}): Uint8Array {
  const b = new ModelBuilder({ opset: asInput ? 18 : op === 'ReduceSum' ? 11 : 13 }).input('x', dims);
  const attributes = { keepdims: attr.int(keepdims), ...(asInput ? { noop_with_empty_axes: attr.int(noop) } : axes ? { axes: attr.ints(axes) } : {}) };
  if (asInput && axes) b.initializerInt64('axes', [axes.length], axes);
  b.node(op, asInput && axes ? ['x', 'axes'] : ['x'], ['y'], attributes);
  return b.output('y', symbolic(keepdims || noop ? dims.length : dims.length - (axes?.length ?? dims.length))).toBytes();
}

const check = (op: string, dims: number[], axes: number[] | undefined, options = {}) =>
  expectMatchesOrt(reduceModel(op, dims, axes, options), randomFeeds({ x: dims }));

describe('reduction layout', () => {
  it('merges adjacent dims of the same group and drops 1s', () => {
    expect(reductionLayout([2, 3, 4, 5], [2, 3])).toEqual({ kept: { dims: [6], strides: [20] }, reduced: { dims: [20], strides: [1] } });
    expect(reductionLayout([2, 3, 1, 4, 5], [0, 3])).toEqual({ kept: { dims: [3, 5], strides: [20, 1] }, reduced: { dims: [2, 4], strides: [60, 5] } });
  });
});

describe.each(KINDS)('%s', (op) => {
  it('NCHW over [2, 3] (the zoo\'s global pooling)', () => check(op, [2, 5, 7, 9], [2, 3]));
  it('middle axis, negative, without keepdims', () => check(op, [3, 4, 5], [-2], { keepdims: 0 }));
  it('default axes: everything', () => check(op, [3, 2, 5], undefined));
  it('axes as an input (opset 18), non-adjacent', () => check(op, [2, 3, 4, 5], [0, 2], { asInput: true }));
});

describe('reduction edge cases', () => {
  it.each([1, 2, 3, 4, 5, 6])('rank %i, alternating axes', async (rank) => {
    const dims = Array.from({ length: rank }, (_, i) => 2 + (i % 3));
    await check('ReduceMean', dims, dims.map((_, i) => i).filter((i) => i % 2 === 0));
  });
  it('ReduceLogSum over a positive input', () => {
    const model = reduceModel('ReduceLogSum', [3, 4, 5], [1]);
    return expectMatchesOrt(model, { x: { dims: [3, 4, 5], data: Float32Array.from({ length: 60 }, (_, i) => 0.1 + i / 10) } });
  });
  it('noop_with_empty_axes returns the input', () => check('ReduceSum', [3, 4], undefined, { asInput: true, noop: 1 }));
  it('empty axes input without noop reduces everything', () => check('ReduceMax', [3, 4], undefined, { asInput: true }));
  it('a long contiguous reduction, also with the per-workgroup variant meant for GPUs', async () => {
    const model = reduceModel('ReduceMean', [1, 3, 57, 61], [2, 3]);
    const feeds = randomFeeds({ x: [1, 3, 57, 61] });
    await expectMatchesOrt(model, feeds);
    const stats = await expectMatchesOrt(model, feeds, { software: false });
    expect(stats.kernels).toEqual({ reducemean_wg: 1 });
  });
  it('ReduceProd of a Shape folds on the CPU (an exporter\'s flatten size)', async () => {
    const model = new ModelBuilder({ opset: 15 }).input('x', [2, 3, 4])
      .node('Shape', ['x'], ['s'], { start: attr.int(1) }).node('ReduceProd', ['s'], ['p'], { keepdims: attr.int(1) })
      .initializerInt64('rest', [1], [-1]).node('Concat', ['rest', 'p'], ['shape'], { axis: attr.int(0) })
      .node('Reshape', ['x', 'shape'], ['y']).output('y', [2, 12]).toBytes();
    const stats = await expectMatchesOrt(model, randomFeeds({ x: [2, 3, 4] }));
    expect(stats.dispatches).toBe(0);
  });
  it('an out-of-range axis is an invalid shape', async () => {
    const { device } = await getTestDevice();
    await expect(InferenceSession.create(device, reduceModel('ReduceSum', [3, 4], [2]), { warmup: false })).rejects.toMatchObject({ code: 'invalid_shape' });
  });
});
