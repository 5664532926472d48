import { describe, expect, it } from 'vitest';
import { randomFloat32 } from '../helpers/random.ts';
import { attr, checkSingleOp, expectUnsupported, singleOp, symbolic } from './op-model.ts';

function batchNorm(dims: number[], epsilon?: number, opset = 15) {
  const c = dims[1];
  const variance = randomFloat32(c, 900 + c).map((v) => Math.abs(v) + 0.05);
  return checkSingleOp({
    op: 'BatchNormalization',
    opset,
    operands: [
      { name: 'x', dims },
      { name: 'gamma', dims: [c], constant: true },
      { name: 'beta', dims: [c], constant: true },
      { name: 'mean', dims: [c], constant: true },
      { name: 'var', dims: [c], constant: true, data: variance },
    ],
    attributes: epsilon === undefined ? {} : { epsilon: attr.float(epsilon) },
    outputs: [symbolic(dims.length)],
  });
}

describe('BatchNormalization', () => {
  it('rank 4, 6 channels', () => batchNorm([2, 6, 5, 7]));
  it('rank 2 (after a Flatten)', () => batchNorm([3, 10]));
  it('rank 3 with a custom epsilon', () => batchNorm([2, 5, 9], 1e-3));
  it('rank 5', () => batchNorm([1, 3, 2, 3, 4]));
  it('opset 9', () => batchNorm([1, 7, 4, 4], undefined, 9));
  it('rejects training mode', () => expectUnsupported(singleOp({
    op: 'BatchNormalization', opset: 15, attributes: { training_mode: attr.int(1) },
    operands: ['x', 'g', 'b', 'm', 'v'].map((name, k) => ({ name, dims: k ? [2] : [1, 2, 3], constant: k > 0 })),
    outputs: [symbolic(3)],
  }).model));
});

const softmax = (dims: number[], opset: number, axis?: number, scale = 1, software?: boolean) =>
  checkSingleOp({
    op: 'Softmax',
    opset,
    operands: [{ name: 'x', dims, data: randomFloat32(dims.reduce((a, b) => a * b, 1), 5000 + dims.length * 10 + (axis ?? 9), scale) }],
    attributes: axis === undefined ? {} : { axis: attr.int(axis) },
    outputs: [symbolic(dims.length)],
  }, { software });

describe.each([11, 13])('Softmax opset %i', (opset) => {
  it('rank 2, default axis', () => softmax([3, 10], opset));
  it('rank 2, axis 0', () => softmax([3, 10], opset, 0));
  it('rank 2, axis -1', () => softmax([3, 10], opset, -1));
  it('rank 3, axis 0', () => softmax([2, 3, 4], opset, 0));
  it('rank 3, axis 1', () => softmax([2, 3, 4], opset, 1));
  it('rank 3, default axis', () => softmax([2, 3, 4], opset));
  it('rank 4, axis 1', () => softmax([2, 5, 3, 3], opset, 1));
  it('rank 4, axis -1', () => softmax([2, 5, 3, 3], opset, -1));
  it('rank 4, axis 0', () => softmax([2, 5, 3, 3], opset, 0));
  it('1000 classes, large logits (max subtracted)', () => softmax([2, 1000], opset, 1, 80));
  it('long rows with a stride: [1,300,2,2] on axis 1', () => softmax([1, 300, 2, 2], opset, 1));
  it('a workgroup per row (GPU variant): [8,500] and [2,300,3]', async () => {
    expect((await softmax([8, 500], opset, 1, 20, false)).kernels).toEqual({ softmax_wg: 1 });
    expect((await softmax([2, 300, 3], opset, 1, 20, false)).kernels).toEqual({ softmax_wg: 1 });
  });
  it('a thread per long row on CPU rasterisers: [8,500]', async () => {
    expect((await softmax([8, 500], opset, 1, 20, true)).kernels).toEqual({ softmax: 1 });
  });
});
