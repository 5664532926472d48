import { describe, expect, it } from 'vitest';
import { InferenceSession } from '../../engine/index.ts';
import { getTestDevice } from '../helpers/device.ts';
import { attr, checkSingleOp, singleOp, symbolic } from './op-model.ts';

const lrn = (dims: number[], attributes: Record<string, ReturnType<typeof attr.float>>, opset = 13) =>
  checkSingleOp({ op: 'LRN', operands: [{ name: 'x', dims }], attributes, outputs: [symbolic(dims.length)], opset });

async function runEngine(dims: number[], data: Float32Array, attributes: Record<string, ReturnType<typeof attr.float>>): Promise<Float32Array> {
  const { model } = singleOp({ op: 'LRN', operands: [{ name: 'x', dims }], attributes, outputs: [dims] });
  const session = await InferenceSession.create((await getTestDevice()).device, model, { warmup: false });
  try {
    return (await session.run({ x: data })).y0.data;
  } finally {
    session.dispose();
  }
}

function expectNear(got: Float32Array, want: number[]): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 6));
}

describe('LRN', () => {
  it('AlexNet\'s (size 5, alpha 1e-4, beta 0.75) at an odd spatial size', () => lrn([2, 13, 7, 5], { size: attr.int(5), alpha: attr.float(1e-4), beta: attr.float(0.75) }));
  it('bias 2 and a large alpha, a window wider than the channels, size 1', async () => {
    await lrn([1, 6, 3, 4], { size: attr.int(3), alpha: attr.float(0.5), beta: attr.float(0.6), bias: attr.float(2) });
    await lrn([1, 3, 4, 4], { size: attr.int(7), alpha: attr.float(0.3) });
    await lrn([2, 5, 4, 4], { size: attr.int(1), alpha: attr.float(0.3) });
  });
  // onnxruntime refuses even sizes and ranks other than 4, which ONNX allows: hand-computed values instead.
  it('even size: the window reaches one channel further after than before (hand-computed)', async () => {
    // alpha / size = 1, beta 1, bias 1: y0 = 1 / (1 + 1 + 4), y1 = 2 / (1 + 4) (channel 1's window is itself only).
    const got = await runEngine([1, 2, 1], Float32Array.of(1, 2), { size: attr.int(2), alpha: attr.float(2), beta: attr.float(1), bias: attr.float(1) });
    expectNear(got, [1 / 6, 0.4]);
  });
  it('rank 5 (hand-computed)', async () => {
    // size 3, alpha 3 (alpha / size = 1), beta 0.5, bias 0: y = x / sqrt(sum of squares of the neighbours).
    const got = await runEngine([1, 3, 1, 1, 1], Float32Array.of(3, 4, 0), { size: attr.int(3), alpha: attr.float(3), beta: attr.float(0.5), bias: attr.float(0) });
    expectNear(got, [3 / 5, 4 / 5, 0]);
  });
  it('opset 7 and 21 files', async () => {
    await lrn([1, 8, 3, 3], { size: attr.int(3), alpha: attr.float(0.2) }, 7);
    await lrn([1, 8, 3, 3], { size: attr.int(3), alpha: attr.float(0.2) }, 21);
  });
  it('a rank-2 input is an invalid shape', async () => {
    const { model } = singleOp({ op: 'LRN', operands: [{ name: 'x', dims: [4, 5] }], attributes: { size: attr.int(3) }, outputs: [[4, 5]] });
    const { device } = await getTestDevice();
    await expect(InferenceSession.create(device, model, { warmup: false })).rejects.toMatchObject({ code: 'invalid_shape' });
  });
});
