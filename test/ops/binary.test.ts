import { describe, expect, it } from 'vitest';
import { collapseBroadcast } from '../../engine/ops/binary.ts';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { randomFloat32 } from '../helpers/random.ts';
import { checkSingleOp, expectMatchesOrt, expectUnsupported, randomFeeds, singleOp, symbolic } from './op-model.ts';

const binary = (op: string, a: number[], b: number[], constantB = false) =>
  checkSingleOp({ op, operands: [{ name: 'a', dims: a }, { name: 'b', dims: b, constant: constantB }], outputs: [symbolic(Math.max(a.length, b.length))] });

describe('broadcast collapsing', () => {
  it('merges dims both operands walk alike', () => {
    expect(collapseBroadcast([2, 3, 4, 5], [[2, 3, 4, 5], [4, 5]])).toEqual({ dims: [6, 20], strides: [[20, 1], [0, 1]] });
    expect(collapseBroadcast([2, 3, 4, 5], [[2, 1, 4, 1], [3, 1, 5]])).toEqual({ dims: [2, 3, 4, 5], strides: [[4, 0, 1, 0], [0, 5, 0, 1]] });
    expect(collapseBroadcast([1, 1], [[1], [1, 1]])).toEqual({ dims: [], strides: [[], []] });
  });
});

describe.each(['Add', 'Sub', 'Mul', 'Div'])('%s', (op) => {
  it('same shapes', () => binary(op, [2, 3, 5, 7], [2, 3, 5, 7]));
  it('[2,3,4,5] with [5]', () => binary(op, [2, 3, 4, 5], [5]));
  it('[2,1,4,1] with [3,1,5]', () => binary(op, [2, 1, 4, 1], [3, 1, 5]));
  it('scalar on the left', () => binary(op, [], [3, 4]));
  it('scalar constant on the right', () => binary(op, [2, 3, 4], [], true));
  it('per-channel constant [1,C,1,1] (a bias)', () => binary(op, [1, 6, 5, 5], [1, 6, 1, 1], true));
});

describe('broadcasting at every rank (dims that alternate between the operands never collapse)', () => {
  /** a has the even dims, b the odd ones, 1 elsewhere: every dim broadcasts one way or the other. */
  const alternating = (rank: number): [number[], number[]] => [
    Array.from({ length: rank }, (_, i) => (i % 2 ? 1 : 2 + (i % 3))),
    Array.from({ length: rank }, (_, i) => (i % 2 ? 2 + (i % 3) : 1)),
  ];
  it.each([1, 2, 3, 4, 6, 8])('rank %i', async (rank) => {
    await binary('Mul', ...alternating(rank));
  });
  it('rank 5 Add matches onnxruntime', () => binary('Add', [2, 1, 3, 1, 4], [1, 5, 1, 2, 1]));
  it('rank 5 Sub with one operand of lower rank', () => binary('Sub', [3, 1, 4, 1, 5], [2, 1, 3, 1]));
  it('rank 9 that does not collapse is refused as an unsupported variant', async () => {
    const [a, b] = alternating(9);
    await expectUnsupported(singleOp({ op: 'Add', operands: [{ name: 'a', dims: a }, { name: 'b', dims: b }], outputs: [symbolic(9)] }).model);
  });
});

describe('binary edge cases', () => {
  it('rank 6 with broadcasting in every other dim', () => binary('Add', [2, 1, 3, 1, 2, 1], [1, 2, 1, 3, 1, 2]));
  it('rank 7 that collapses to fit', () => binary('Mul', [2, 3, 1, 2, 2, 2, 3], [2, 3, 2, 1, 1, 1, 1]));
  it('over 65535 workgroups (the engine folds the dispatch into 2-D)', () => binary('Mul', [2, 2_100_000], [2, 1]));
  it('both operands the same value', async () => {
    const model = new ModelBuilder({ opset: 13 }).input('x', [3, 4]).node('Add', ['x', 'x'], ['y']).output('y', [3, 4]).toBytes();
    await expectMatchesOrt(model, randomFeeds({ x: [3, 4] }));
  });
  it('Add+Relu runs as one fused dispatch', async () => {
    const model = new ModelBuilder({ opset: 13 })
      .input('x', [1, 4, 3, 3]).initializer('bias', [1, 4, 1, 1], randomFloat32(4, 77))
      .node('Add', ['x', 'bias'], ['s']).node('Relu', ['s'], ['y']).output('y', [1, 4, 3, 3]).toBytes();
    const stats = await expectMatchesOrt(model, randomFeeds({ x: [1, 4, 3, 3] }));
    expect(stats.dispatches).toBe(1);
    expect(stats.kernels).toEqual({ add: 1 });
  });
});
