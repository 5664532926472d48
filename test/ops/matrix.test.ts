import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { randomFloat32 } from '../helpers/random.ts';
import { getTestDevice } from '../helpers/device.ts';
import { attr, checkSingleOp, expectMatchesOrt, randomFeeds, symbolic, type OperandSpec } from './op-model.ts';

interface GemmCase {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  c?: number[] | null;
  constantB?: boolean;
  constantC?: boolean;
}

function gemm(g: GemmCase) {
  const operands: (OperandSpec | null)[] = [
    { name: 'a', dims: g.transA ? [g.k, g.m] : [g.m, g.k] },
    { name: 'b', dims: g.transB ? [g.n, g.k] : [g.k, g.n], constant: g.constantB },
  ];
  if (g.c) operands.push({ name: 'c', dims: g.c, constant: g.constantC ?? true });
  const attributes = {
    ...(g.transA ? { transA: attr.int(1) } : {}),
    ...(g.transB ? { transB: attr.int(1) } : {}),
    ...(g.alpha !== undefined ? { alpha: attr.float(g.alpha) } : {}),
    ...(g.beta !== undefined ? { beta: attr.float(g.beta) } : {}),
  };
  return checkSingleOp({ op: 'Gemm', opset: 13, operands, attributes, outputs: [[g.m, g.n]] });
}

describe('Gemm', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`transA=${+transA} transB=${+transB}, alpha and beta, C [M,N]`, () => gemm({ m: 7, n: 9, k: 11, transA, transB, alpha: 0.5, beta: -1.5, c: [7, 9] }));
      it(`transA=${+transA} transB=${+transB}, constant B, no C`, () => gemm({ m: 5, n: 6, k: 13, transA, transB, constantB: true }));
    }
  }
  it('C scalar', () => gemm({ m: 5, n: 7, k: 3, c: [], beta: 2 }));
  it('C [1]', () => gemm({ m: 5, n: 7, k: 3, c: [1] }));
  it('C [N]', () => gemm({ m: 5, n: 7, k: 3, c: [7] }));
  it('C [1,N]', () => gemm({ m: 5, n: 7, k: 3, c: [1, 7], alpha: 2 }));
  it('C [M,1]', () => gemm({ m: 5, n: 7, k: 3, c: [5, 1] }));
  it('C [M,N] fed at run time', () => gemm({ m: 5, n: 7, k: 3, c: [5, 7], constantC: false }));
  it('a fully connected layer: 1x256 x (1000x256)^T + bias', () => gemm({ m: 1, n: 1000, k: 256, transB: true, constantB: true, c: [1000] }));
  it('M and N not multiples of the tile', () => gemm({ m: 13, n: 10, k: 17, c: [10] }));
  // 128 MiB is llvmpipe's (and WebGPU's default) maxStorageBufferBindingSize: 8 columns over it split B in two blocks,
  // the path VGG's fc6 (411 MB) takes, at a fraction of VGG-16's time.
  it('a constant B just over the binding limit: 1x4096 x (8200x4096)^T + bias, in column blocks', async () => {
    const [k, n] = [4096, 8200];
    const stats = await gemm({ m: 1, n, k, transB: true, constantB: true, c: [n] });
    const limit = (await getTestDevice()).device.limits.maxStorageBufferBindingSize;
    expect(stats.dispatches).toBe(k * n * 4 > limit ? 2 : 1);
  });
  it('Gemm+Relu runs as one fused dispatch', async () => {
    const model = new ModelBuilder({ opset: 13 })
      .input('x', [3, 8]).initializer('w', [5, 8], randomFloat32(40, 31)).initializer('bias', [5], randomFloat32(5, 32))
      .node('Gemm', ['x', 'w', 'bias'], ['g'], { transB: attr.int(1) }).node('Relu', ['g'], ['y']).output('y', [3, 5]).toBytes();
    const stats = await expectMatchesOrt(model, randomFeeds({ x: [3, 8] }));
    expect(stats.dispatches).toBe(1);
  });
});

const matmul = (a: number[], b: number[], constantB = false) =>
  checkSingleOp({
    op: 'MatMul',
    operands: [{ name: 'a', dims: a }, { name: 'b', dims: b, constant: constantB }],
    outputs: [symbolic(Math.max(a.length, b.length, 2) - (a.length === 1 ? 1 : 0) - (b.length === 1 ? 1 : 0))],
  });

describe('MatMul', () => {
  it('2-D', () => matmul([6, 10], [10, 7]));
  it('2-D with a constant B', () => matmul([1, 64], [64, 10], true));
  it('batched [2,3,4,5] x [5,6]', () => matmul([2, 3, 4, 5], [5, 6]));
  it('broadcast [3,4,5] x [5,6]', () => matmul([3, 4, 5], [5, 6]));
  it('broadcast [4,5] x [3,5,6]', () => matmul([4, 5], [3, 5, 6]));
  it('batch dims broadcast both ways: [2,1,4,5] x [3,5,2]', () => matmul([2, 1, 4, 5], [3, 5, 2]));
  it('1-D x 2-D', () => matmul([5], [5, 3]));
  it('2-D x 1-D', () => matmul([4, 5], [5]));
  it('1-D x 1-D', () => matmul([9], [9]));
  it('1-D x batched', () => matmul([5], [2, 5, 3]));
  it('batched x 1-D', () => matmul([2, 3, 5], [5]));
});
