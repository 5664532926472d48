import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { attr, checkSingleOp, expectMatchesOrt, randomFeeds, symbolic } from './op-model.ts';

/** Inputs that differ along `axis` only: input k has `sizes[k]` there. */
function concat(base: number[], axis: number, sizes: number[]) {
  const a = axis < 0 ? axis + base.length : axis;
  return checkSingleOp({
    op: 'Concat',
    operands: sizes.map((d, k) => ({ name: `x${k}`, dims: base.map((b, i) => (i === a ? d : b)), constant: k === 1 })),
    attributes: { axis: attr.int(axis) },
    outputs: [symbolic(base.length)],
  });
}

describe('Concat kernel', () => {
  it('axis 0, 2 inputs', () => concat([0, 3, 4, 5], 0, [2, 3]));
  it('axis 1, 3 inputs', () => concat([2, 0, 4, 5], 1, [3, 1, 5]));
  it('axis 2, 4 inputs', () => concat([2, 3, 0, 5], 2, [1, 2, 3, 4]));
  it('axis 3, 2 inputs', () => concat([2, 3, 4, 0], 3, [5, 2]));
  it('axis -1, 3 inputs', () => concat([3, 0], -1, [7, 1, 2]));
  it('rank 1', () => concat([0], 0, [5, 3]));
  it('the same value twice', async () => {
    const model = new ModelBuilder({ opset: 13 }).input('x', [2, 3]).node('Concat', ['x', 'x'], ['y'], { axis: attr.int(1) }).output('y', [2, 6]).toBytes();
    await expectMatchesOrt(model, randomFeeds({ x: [2, 3] }));
  });
});

/** Relu and Sigmoid of x, concatenated on channels: the shape of a SqueezeNet fire module's expand. */
function fireLike(channels: number) {
  const dims = [1, channels, 4, 4];
  const model = new ModelBuilder({ opset: 13 })
    .input('x', dims)
    .node('Relu', ['x'], ['a'])
    .node('Sigmoid', ['x'], ['b'])
    .node('Concat', ['a', 'b'], ['c'], { axis: attr.int(1) })
    .node('Sigmoid', ['c'], ['y'])
    .output('y', [1, 2 * channels, 4, 4])
    .toBytes();
  return expectMatchesOrt(model, randomFeeds({ x: dims }));
}

describe('Concat in a graph', () => {
  it('is written in place by its producers when slices align (64 channels)', async () => {
    const stats = await fireLike(64);
    expect(stats.kernels.concat).toBeUndefined();
    expect(stats.dispatches).toBe(3);
  });
  it('runs the copy kernel when slices cannot be binding offsets (3 channels)', async () => {
    const stats = await fireLike(3);
    expect(stats.kernels.concat).toBe(2);
    expect(stats.dispatches).toBe(5);
  });
});
