/**
 * @module The one table that maps an ONNX op type to its op definition. Adding or replacing a kernel is one line
 * here (or, without editing the project, `prepareModel(bytes, { kernels: { Op: def } })`). Each definition lives
 * in engine/ops/<family>.ts beside this file; its WGSL in shaders/<family>/*.wgsl. Keep keys alphabetical.
 */
import type { OpDefinition } from '../kernel.ts';
import { batchNormalization } from './batchnorm.ts';
import { binary } from './binary.ts';
import { concat } from './concat.ts';
import { conv } from './conv.ts';
import { gemm, matMul } from './gemm.ts';
import { hardSwish } from './hardswish.ts';
import { globalPool, pool } from './pool.ts';
import { cast, constantOfShape, gather, range, shape } from './shape-ops.ts';
import { softmax } from './softmax.ts';
import { unary } from './unary.ts';
import { flatten, reshape, squeeze, unsqueeze } from './view.ts';

export const KERNELS: Readonly<Record<string, OpDefinition>> = {
  Add: binary,
  AveragePool: pool,
  BatchNormalization: batchNormalization,
  Cast: cast,
  Clip: unary,
  Concat: concat,
  ConstantOfShape: constantOfShape,
  Conv: conv,
  Div: binary,
  Flatten: flatten,
  Gather: gather,
  Gemm: gemm,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  HardSwish: hardSwish,
  LeakyRelu: unary,
  MatMul: matMul,
  MaxPool: pool,
  Mul: binary,
  Range: range,
  Relu: unary,
  Reshape: reshape,
  Shape: shape,
  Sigmoid: unary,
  Softmax: softmax,
  Squeeze: squeeze,
  Sub: binary,
  Unsqueeze: unsqueeze,
};
