import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { checkSingleOp, expectMatchesOrt, randomFeeds, symbolic } from './op-model.ts';

const variadic = (op: string, shapes: number[][], opset = 13) =>
  checkSingleOp({
    op,
    operands: shapes.map((dims, i) => ({ name: `x${i}`, dims })),
    outputs: [symbolic(Math.max(...shapes.map((s) => s.length)))],
    opset,
  });

describe.each(['Sum', 'Mean', 'Max', 'Min'])('%s', (op) => {
  it('one input', () => variadic(op, [[3, 5]]));
  it('two same-shape inputs', () => variadic(op, [[2, 3, 5, 7], [2, 3, 5, 7]]));
  it('three inputs broadcasting, one a scalar', () => variadic(op, [[2, 1, 4], [3, 1], []]));
  it('seven inputs (three dispatches, the later ones accumulating)', () => variadic(op, [[2, 3, 4], [4], [3, 1], [2, 3, 4], [1, 1, 1], [2, 1, 4], [2, 3, 4]]));
  it('an input smaller than the output comes first', () => variadic(op, [[5], [4, 5], [3, 4, 5]]));
  it('rank 6', () => variadic(op, [[2, 1, 3, 1, 2, 1], [1, 2, 1, 3, 1, 2]]));
  it('opset 7 (same shapes) and 21', async () => {
    await variadic(op, [[3, 4], [3, 4]], 7);
    await variadic(op, [[3, 4], [4]], 21);
  });
});

describe('variadic edge cases', () => {
  it('the same value passed twice and four times', async () => {
    const model = new ModelBuilder({ opset: 13 }).input('x', [3, 4]).node('Mean', ['x', 'x', 'x', 'x'], ['y']).output('y', [3, 4]).toBytes();
    await expectMatchesOrt(model, randomFeeds({ x: [3, 4] }));
  });
  it('constants fold: Sum of two initializers costs no dispatch for itself', async () => {
    const model = new ModelBuilder({ opset: 13 }).input('x', [2, 3])
      .initializer('a', [3], Float32Array.of(1, 2, 3)).initializer('b', [2, 1], Float32Array.of(10, 20))
      .node('Sum', ['a', 'b'], ['s']).node('Max', ['x', 's'], ['y']).output('y', [2, 3]).toBytes();
    const stats = await expectMatchesOrt(model, randomFeeds({ x: [2, 3] }));
    expect(stats.kernels).toEqual({ max: 1 });
  });
});
