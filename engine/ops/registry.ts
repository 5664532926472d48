/**
 * @module The one table that maps an ONNX op type to its op definition. Adding or replacing a kernel is one line
 * here (or, without editing the project, `prepareModel(bytes, { kernels: { Op: def } })`). Each definition lives
 * in engine/ops/<family>.ts beside this file; its WGSL in shaders/<family>/*.wgsl. Keep keys alphabetical.
 * An op of another domain than ONNX's default is keyed `domain:OpType` (see kernelKey), as the engine's own
 * NormalizeImage at the end.
 */
import type { OpDefinition } from '../kernel.ts';
import { batchNormalization } from './batchnorm.ts';
import { binary } from './binary.ts';
import { concat } from './concat.ts';
import { conv } from './conv.ts';
import { expand } from './expand.ts';
import { gemm, matMul } from './gemm.ts';
import { hardSwish } from './hardswish.ts';
import { lrn } from './lrn.ts';
import { ENGINE_DOMAIN, normalizeImage } from './normalize-image.ts';
import { pad, tile } from './pad.ts';
import { globalPool, pool } from './pool.ts';
import { reduce } from './reduce.ts';
import { cast, constantOfShape, gather, range, shape } from './shape-ops.ts';
import { slice, split } from './slice.ts';
import { softmax } from './softmax.ts';
import { transpose } from './transpose.ts';
import { unary } from './unary.ts';
import { variadic } from './variadic.ts';
import { flatten, reshape, squeeze, unsqueeze } from './view.ts';

export const KERNELS: Readonly<Record<string, OpDefinition>> = {
  Abs: unary,
  Add: binary,
  AveragePool: pool,
  BatchNormalization: batchNormalization,
  Cast: cast,
  Ceil: unary,
  Clip: unary,
  Concat: concat,
  ConstantOfShape: constantOfShape,
  Conv: conv,
  Div: binary,
  Elu: unary,
  Erf: unary,
  Exp: unary,
  Expand: expand,
  Flatten: flatten,
  Floor: unary,
  Gather: gather,
  Gemm: gemm,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  HardSigmoid: unary,
  HardSwish: hardSwish,
  LeakyRelu: unary,
  Log: unary,
  LRN: lrn,
  MatMul: matMul,
  Max: variadic,
  MaxPool: pool,
  Mean: variadic,
  Min: variadic,
  Mul: binary,
  Neg: unary,
  Pad: pad,
  Range: range,
  Reciprocal: unary,
  ReduceL1: reduce,
  ReduceL2: reduce,
  ReduceLogSum: reduce,
  ReduceLogSumExp: reduce,
  ReduceMax: reduce,
  ReduceMean: reduce,
  ReduceMin: reduce,
  ReduceProd: reduce,
  ReduceSum: reduce,
  ReduceSumSquare: reduce,
  Relu: unary,
  Reshape: reshape,
  Selu: unary,
  Shape: shape,
  Sigmoid: unary,
  Slice: slice,
  Softmax: softmax,
  Softplus: unary,
  Softsign: unary,
  Split: split,
  Sqrt: unary,
  Squeeze: squeeze,
  Sub: binary,
  Sum: variadic,
  Tanh: unary,
  Tile: tile,
  Transpose: transpose,
  Unsqueeze: unsqueeze,
  // The engine's own domain: the image preprocessing a plan may fuse in front of the model (engine/image-input.ts).
  [`${ENGINE_DOMAIN}:NormalizeImage`]: normalizeImage,
};
