import { describe, expect, it } from 'vitest';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import { parseModel } from './onnx/parse.ts';
import { modelInfo } from './model-info.ts';
import { KERNELS } from './ops/registry.ts';

describe('modelInfo', () => {
  it('should count Conv (grouped, strided), Gemm and MatMul MACs and float parameters', () => {
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', [1, 4, 8, 8])
      .output('z', [1, 3])
      .initializer('W', [6, 2, 3, 3], new Float32Array(108))
      .initializer('B', [6], new Float32Array(6))
      .initializer('G', [24, 5], new Float32Array(120))
      .initializer('M', [5, 3], new Float32Array(15))
      .initializerInt64('shape', [2], [1, 24])
      // 8x8, k3, stride 2, pad 1 -> 4x4: MACs = 6 * 2 * 9 * 16 = 1728
      .node('Conv', ['x', 'W', 'B'], ['c'], { group: attr.int(2), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) })
      .node('MaxPool', ['c'], ['p'], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }) // 6x2x2 = 24
      .node('Reshape', ['p', 'shape'], ['f'])
      .node('Gemm', ['f', 'G'], ['g']) // 1*5*24 = 120
      .node('MatMul', ['g', 'M'], ['z']) // 1*3*5 = 15
      .toBytes();
    const info = modelInfo(parseModel(bytes), KERNELS);
    expect(info.macsByOp).toEqual({ Conv: 1728, Gemm: 120, MatMul: 15 });
    expect(info.macs).toBe(1728 + 120 + 15);
    expect(info.parameters).toBe(108 + 6 + 120 + 15); // the int64 shape is not a parameter
    expect(info.opCounts).toEqual({ Conv: 1, MaxPool: 1, Reshape: 1, Gemm: 1, MatMul: 1 });
    expect(info.macsUnknownNodes).toEqual([]);
    expect(info.standIn).toBe(false);
  });

  it('should list unsupported ops after rewrites and mark MACs behind them as unknown', () => {
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', [1, 2, 4, 4])
      .output('y', [1, 2, 4, 4])
      .initializer('W', [2, 2, 1, 1], new Float32Array(4))
      .initializer('s', [2], new Float32Array(2).fill(1))
      .initializer('b', [2], new Float32Array(2))
      .initializer('m', [2], new Float32Array(2))
      .initializer('v', [2], new Float32Array(2).fill(1))
      .node('Conv', ['x', 'W'], ['c'])
      .node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['n']) // folded: needs no kernel
      .node('Identity', ['n'], ['i'])
      .node('Celu', ['i'], ['e'], {}, { name: 'celu' })
      .node('Conv', ['e', 'W'], ['y'], {}, { name: 'after_celu' })
      .metadata('stand_in', 'true')
      .toBytes();
    const info = modelInfo(parseModel(bytes), KERNELS);
    expect(info.unsupportedOps).toEqual(['Celu']);
    expect(info.macs).toBe(2 * 2 * 16);
    expect(info.macsUnknownNodes).toEqual(['after_celu']);
    expect(info.standIn).toBe(true);
  });

  it('should count the MACs behind a Shape -> Gather -> Unsqueeze -> Concat -> Reshape flatten, folded as a plan folds it', () => {
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', ['N', 4, 3, 3])
      .output('y', ['N', 5])
      .initializer('G', [5, 36], new Float32Array(180))
      .initializerInt64('zero', [], [0])
      .initializerInt64('axis0', [1], [0])
      .initializerInt64('rest', [1], [-1])
      .node('Shape', ['x'], ['s'])
      .node('Gather', ['s', 'zero'], ['n'])
      .node('Unsqueeze', ['n', 'axis0'], ['n1'])
      .node('Concat', ['n1', 'rest'], ['target'], { axis: attr.int(0) })
      .node('Reshape', ['x', 'target'], ['flat'])
      .node('Gemm', ['flat', 'G'], ['y'], { transB: attr.int(1) })
      .toBytes();
    const info = modelInfo(parseModel(bytes), KERNELS, { inputShapes: { x: [2, 4, 3, 3] } });
    expect(info.macsByOp).toEqual({ Gemm: 2 * 5 * 36 });
    expect(info.macsUnknownNodes).toEqual([]);
  });
});
