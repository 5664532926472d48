import { describe, expect, it } from 'vitest';
import { attr, checkSingleOp, expectUnsupported, singleOp, symbolic } from './op-model.ts';

type Attrs = Parameters<typeof checkSingleOp>[0]['attributes'];

const pool = (op: string, dims: number[], attributes: Attrs, outputs = 1) =>
  checkSingleOp({ op, operands: [{ name: 'x', dims }], attributes, outputs: Array.from({ length: outputs }, () => symbolic(dims.length)) });

describe('MaxPool', () => {
  it('3x3 stride 2 (SqueezeNet)', () => pool('MaxPool', [1, 5, 13, 13], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) }));
  it('ceil_mode with an odd size', () => pool('MaxPool', [2, 3, 14, 15], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }));
  it('asymmetric pads', () => pool('MaxPool', [1, 3, 7, 8], { kernel_shape: attr.ints([3, 2]), pads: attr.ints([1, 0, 2, 1]) }));
  it('auto_pad SAME_UPPER', () => pool('MaxPool', [1, 2, 9, 10], { kernel_shape: attr.ints([4, 4]), strides: attr.ints([2, 3]), auto_pad: attr.string('SAME_UPPER') }));
  it('auto_pad SAME_LOWER', () => pool('MaxPool', [1, 2, 9, 10], { kernel_shape: attr.ints([4, 4]), strides: attr.ints([2, 3]), auto_pad: attr.string('SAME_LOWER') }));
  it('auto_pad VALID', () => pool('MaxPool', [1, 2, 9, 10], { kernel_shape: attr.ints([3, 2]), strides: attr.ints([2, 2]), auto_pad: attr.string('VALID') }));
  it('dilations', () => pool('MaxPool', [1, 3, 11, 12], { kernel_shape: attr.ints([3, 3]), dilations: attr.ints([2, 3]), pads: attr.ints([1, 2, 1, 2]) }));
  it('dilations with ceil_mode and stride 2', () => pool('MaxPool', [1, 3, 12, 11], { kernel_shape: attr.ints([2, 3]), dilations: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }));
  it('rejects the Indices output', () => expectUnsupported(singleOp({
    op: 'MaxPool', operands: [{ name: 'x', dims: [1, 1, 4, 4] }], attributes: { kernel_shape: attr.ints([2, 2]) }, outputs: [symbolic(4), symbolic(4)],
  }).model));
});

describe('AveragePool', () => {
  it('3x3 stride 1 pads 1, pads excluded', () => pool('AveragePool', [1, 6, 9, 9], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }));
  it('count_include_pad', () => pool('AveragePool', [1, 6, 9, 9], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) }));
  it('asymmetric pads with count_include_pad', () => pool('AveragePool', [1, 3, 8, 7], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([0, 2, 1, 0]), strides: attr.ints([2, 1]), count_include_pad: attr.int(1) }));
  it('ceil_mode with count_include_pad', () => pool('AveragePool', [1, 3, 10, 11], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), ceil_mode: attr.int(1), count_include_pad: attr.int(1) }));
  it('ceil_mode, pads excluded', () => pool('AveragePool', [2, 5, 10, 11], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }));
  it('auto_pad SAME_UPPER', () => pool('AveragePool', [1, 3, 7, 9], { kernel_shape: attr.ints([2, 3]), strides: attr.ints([2, 2]), auto_pad: attr.string('SAME_UPPER') }));
  it('auto_pad SAME_LOWER with count_include_pad', () => pool('AveragePool', [1, 3, 7, 9], { kernel_shape: attr.ints([2, 3]), strides: attr.ints([2, 2]), auto_pad: attr.string('SAME_LOWER'), count_include_pad: attr.int(1) }));
  it('auto_pad VALID', () => pool('AveragePool', [1, 3, 7, 9], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), auto_pad: attr.string('VALID') }));
  it('dilations (opset 19)', () => checkSingleOp({
    op: 'AveragePool', opset: 19, operands: [{ name: 'x', dims: [1, 3, 10, 11] }], outputs: [symbolic(4)],
    attributes: { kernel_shape: attr.ints([3, 2]), dilations: attr.ints([2, 3]), pads: attr.ints([1, 1, 2, 0]) },
  }));
  it('dilations with count_include_pad and ceil_mode (opset 19)', () => checkSingleOp({
    op: 'AveragePool', opset: 19, operands: [{ name: 'x', dims: [1, 3, 10, 11] }], outputs: [symbolic(4)],
    attributes: { kernel_shape: attr.ints([3, 2]), dilations: attr.ints([2, 2]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1), ceil_mode: attr.int(1) },
  }));
});

describe('pool variants without a kernel', () => {
  it('rejects 4-D pooling', () => expectUnsupported(singleOp({ op: 'MaxPool', operands: [{ name: 'x', dims: [1, 2, 3, 3, 3, 3] }], attributes: { kernel_shape: attr.ints([2, 2, 2, 2]) }, outputs: [symbolic(6)] }).model));
});

describe.each([true, false])('global pools, software=%s', (software) => {
  const global = async (op: string, dims: number[], kernel: string) => {
    const stats = await checkSingleOp({ op, operands: [{ name: 'x', dims }], outputs: [symbolic(dims.length)] }, { software });
    expect(Object.keys(stats.kernels)).toEqual([kernel]);
  };
  const wg = software ? '' : '_wg';
  it('GlobalAveragePool 1x3x56x56', () => global('GlobalAveragePool', [1, 3, 56, 56], `global_avgpool${wg}`));
  it('GlobalAveragePool 1x1000x13x13', () => global('GlobalAveragePool', [1, 1000, 13, 13], `global_avgpool${wg}`));
  it('GlobalMaxPool 2x7x13x13', () => global('GlobalMaxPool', [2, 7, 13, 13], `global_maxpool${wg}`));
  it('GlobalMaxPool 1x3x56x56', () => global('GlobalMaxPool', [1, 3, 56, 56], `global_maxpool${wg}`));
  it('GlobalAveragePool with a tiny plane, rank 3 (always a thread per plane)', () => global('GlobalAveragePool', [2, 5, 3], 'global_avgpool'));
  it('GlobalAveragePool rank 5', () => global('GlobalAveragePool', [1, 2, 4, 5, 6], `global_avgpool${wg}`));
});

describe.each(['MaxPool', 'AveragePool'])('%s 1-D and 3-D (one window walk, size-1 dims in front)', (op) => {
  it('1-D kernel 3 stride 2 pads [1, 2], ceil_mode', () => pool(op, [2, 3, 17], { kernel_shape: attr.ints([3]), strides: attr.ints([2]), pads: attr.ints([1, 2]), ceil_mode: attr.int(1) }));
  it('1-D pads 2 (AveragePool: count_include_pad; MaxPool: dilation 2)', () => pool(op, [1, 4, 15], { kernel_shape: attr.ints([3]), pads: attr.ints([2, 2]), ...(op === 'MaxPool' ? { dilations: attr.ints([2]) } : { count_include_pad: attr.int(1) }) }));
  it('3-D 2x2x2', () => pool(op, [1, 3, 6, 5, 7], { kernel_shape: attr.ints([2, 2, 2]) }));
  it('3-D 3x2x3 strides [2,1,2] asymmetric pads', () => pool(op, [2, 2, 7, 6, 9], { kernel_shape: attr.ints([3, 2, 3]), strides: attr.ints([2, 1, 2]), pads: attr.ints([1, 0, 2, 0, 1, 1]) }));
  it('3-D auto_pad SAME_UPPER with count_include_pad', () => pool(op, [1, 2, 5, 6, 7], { kernel_shape: attr.ints([3, 3, 2]), strides: attr.ints([2, 2, 2]), auto_pad: attr.string('SAME_UPPER'), ...(op === 'AveragePool' ? { count_include_pad: attr.int(1) } : {}) }));
});
