import { describe, expect, it } from 'vitest';
import { randomFloat32 } from '../helpers/random.ts';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import type { OrtTensor } from '../helpers/ort.ts';
import { attr, checkSingleOp, expectMatchesOrt, expectUnsupported, singleOp, symbolic } from './op-model.ts';

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
  it('statistics as graph inputs (read at run time)', () => batchNormData([2, 6, 5, 7], {}));
  it('statistics as graph inputs, rank 2, custom epsilon, then Relu (fused into the affine step)', () => batchNormData([5, 9], { epsilon: 1e-2, relu: true }));
  it('training mode: batch statistics and running mean/variance outputs', () => batchNormData([3, 4, 5, 2], { training: true }));
  it('training mode with constant parameters, rank 3, momentum 0.5', () => batchNormData([2, 5, 11], { training: true, constant: true, momentum: 0.5 }));
  it('training mode with only Y requested (statistics in scratch buffers)', () => batchNormData([2, 3, 4, 4], { training: true, outputs: 1 }));
});

/**
 * BatchNormalization whose statistics are graph inputs (or constants with `constant`), optionally training;
 * `outputs: 1` asks for Y only (onnxruntime, which crashes on that, runs the model with all three as the oracle).
 */
function batchNormData(dims: number[], o: { epsilon?: number; relu?: boolean; training?: boolean; constant?: boolean; momentum?: number; outputs?: number }) {
  const c = dims[1];
  const feeds: Record<string, OrtTensor> = { x: { data: randomFloat32(dims.reduce((a, d) => a * d, 1), 70 + c, 3), dims } };
  const statistics = ['scale', 'bias', 'mean', 'var'].map((name, k) => ({ name, data: randomFloat32(c, 80 + k).map((v) => (k === 3 ? Math.abs(v) + 0.05 : v)) }));
  for (const s of statistics) if (!o.constant) feeds[s.name] = { data: s.data, dims: [c] };
  const attributes = {
    ...(o.epsilon === undefined ? {} : { epsilon: attr.float(o.epsilon) }),
    ...(o.momentum === undefined ? {} : { momentum: attr.float(o.momentum) }),
    ...(o.training ? { training_mode: attr.int(1) } : {}),
  };
  const build = (count: number) => {
    const b = new ModelBuilder({ opset: 15 });
    b.input('x', dims);
    for (const s of statistics) if (o.constant) b.initializer(s.name, [c], s.data); else b.input(s.name, [c]);
    const outputs = o.training ? ['bn', 'running_mean', 'running_var'].map((n, k) => (k < count ? n : '')) : ['bn'];
    b.node('BatchNormalization', ['x', ...statistics.map((s) => s.name)], outputs, attributes);
    if (o.relu) b.node('Relu', ['bn'], ['y']);
    b.output(o.relu ? 'y' : 'bn', dims);
    outputs.slice(1).forEach((name) => name && b.output(name, [c]));
    return b.toBytes();
  };
  return expectMatchesOrt(build(o.outputs ?? 3), feeds, {}, build(3));
}

describe('BatchNormalization opsets before 14', () => {
  it('rejects statistics outputs (training without training_mode)', () => expectUnsupported(singleOp({
    op: 'BatchNormalization', opset: 9,
    operands: ['x', 'g', 'b', 'm', 'v'].map((name, k) => ({ name, dims: k ? [2] : [1, 2, 3], constant: k > 0 })),
    outputs: [symbolic(3), [2], [2]],
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
