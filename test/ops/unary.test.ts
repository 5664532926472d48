import { describe, it } from 'vitest';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { attr, checkSingleOp, expectMatchesOrt, randomFeeds, symbolic } from './op-model.ts';

/** Values spread over [-span, span): the unary ops' interesting ranges (Exp's growth, Erf's tails). */
function spread(dims: number[], span: number): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => span * (2 * ((i * 7919) % n) / n - 1));
}

const unary = (op: string, dims: number[], data: Float32Array, attributes = {}, opset = 13) =>
  checkSingleOp({ op, operands: [{ name: 'x', dims, data }], attributes, outputs: [symbolic(dims.length)], opset });

describe.each(['Abs', 'Neg', 'Floor', 'Ceil', 'Exp', 'Tanh', 'Erf', 'Softplus', 'Softsign', 'Elu', 'Selu', 'HardSigmoid', 'Relu', 'Sigmoid'])('%s', (op) => {
  it('matches onnxruntime over [-6, 6) at an odd size', () => unary(op, [3, 5, 7], spread([3, 5, 7], 6)));
  it('rank 1 and rank 6', async () => {
    await unary(op, [13], spread([13], 3));
    await unary(op, [2, 1, 3, 2, 1, 2], spread([2, 1, 3, 2, 1, 2], 3));
  });
});

describe('ops with a restricted domain', () => {
  const positive = (dims: number[]) => spread(dims, 4).map((v) => Math.abs(v) + 0.01);
  it.each(['Sqrt', 'Log', 'Reciprocal'])('%s over (0, 4]', async (op) => {
    await unary(op, [4, 9, 5], positive([4, 9, 5]));
  });
  it('Tanh and Softplus saturate without overflow at |x| = 100', async () => {
    for (const op of ['Tanh', 'Softplus']) await unary(op, [5], Float32Array.of(-100, -20, 0, 20, 100));
  });
});

describe('attributes and opsets', () => {
  it('HardSigmoid with alpha and beta', () => unary('HardSigmoid', [2, 11], spread([2, 11], 5), { alpha: attr.float(0.5), beta: attr.float(0.6) }));
  it('Elu with alpha', () => unary('Elu', [2, 11], spread([2, 11], 5), { alpha: attr.float(2) }));
  it('Selu with alpha and gamma', () => unary('Selu', [2, 11], spread([2, 11], 5), { alpha: attr.float(2), gamma: attr.float(3) }));
  it('opset 7 and 21 files', async () => {
    await unary('Exp', [3, 4], spread([3, 4], 3), {}, 7);
    await unary('HardSigmoid', [3, 4], spread([3, 4], 3), {}, 21);
  });
  it('a chain of unary ops on a constant folds and still matches', async () => {
    const model = new ModelBuilder({ opset: 13 })
      .input('x', [2, 3]).initializer('c', [2, 3], Float32Array.of(-2, -1, 0, 0.5, 1, 3))
      .node('Tanh', ['c'], ['t']).node('Exp', ['t'], ['e']).node('Erf', ['e'], ['f']).node('Add', ['x', 'f'], ['y'])
      .output('y', [2, 3]).toBytes();
    await expectMatchesOrt(model, randomFeeds({ x: [2, 3] }));
  });
});

describe('Clip with bounds computed at run time (read from their buffers)', () => {
  const clip = (bounds: ({ dims: number[]; data: Float32Array; constant?: boolean } | null)[], dims = [2, 3, 17]) =>
    checkSingleOp({
      op: 'Clip',
      opset: 13,
      operands: [{ name: 'x', dims, data: spread(dims, 4) }, ...bounds.map((b, k) => b && { name: k ? 'hi' : 'lo', ...b })],
      outputs: [symbolic(dims.length)],
    });
  const one = (v: number, constant?: boolean) => ({ dims: [], data: Float32Array.of(v), constant });
  it('min and max both graph inputs', () => clip([one(-1.5), one(2.25)]));
  it('min only (max omitted)', () => clip([one(0.5)]));
  it('max only (min omitted)', () => clip([null, one(-0.75)]));
  it('a run-time min with a constant max', () => clip([one(-3), one(1, true)]));
  it('min above max: every element becomes max', () => clip([one(1), one(-1)], [130]));
  it('a min computed by another node (Neg of a graph input)', () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', [4, 33]);
    b.input('m', []);
    b.node('Neg', ['m'], ['lo']);
    b.node('Clip', ['x', 'lo', 'm'], ['y']);
    b.output('y', [4, 33]);
    return expectMatchesOrt(b.toBytes(), { x: { data: spread([4, 33], 3), dims: [4, 33] }, m: { data: Float32Array.of(1.25), dims: [] } });
  });
});
