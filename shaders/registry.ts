/**
 * @module The one table that maps an ONNX op type to its kernel. Adding or replacing a kernel is one line
 * here (or, without editing the project, `InferenceSession.create(device, bytes, { kernels: { Op: def } })`).
 * Each definition lives in engine/ops/<family>.ts next to its shaders/<family>/*.wgsl. Keep keys alphabetical.
 */
import type { OpDefinition } from '../engine/kernel.ts';
import { batchNormalization } from '../engine/ops/batchnorm.ts';
import { binary } from '../engine/ops/binary.ts';
import { concat } from '../engine/ops/concat.ts';
import { conv } from '../engine/ops/conv.ts';
import { gemm, matMul } from '../engine/ops/gemm.ts';
import { hardSwish } from '../engine/ops/hardswish.ts';
import { globalPool, pool } from '../engine/ops/pool.ts';
import { softmax } from '../engine/ops/softmax.ts';
import { unary } from '../engine/ops/unary.ts';
import { flatten, reshape, squeeze, unsqueeze } from '../engine/ops/view.ts';

export const KERNELS: Readonly<Record<string, OpDefinition>> = {
  Add: binary,
  AveragePool: pool,
  BatchNormalization: batchNormalization,
  Clip: unary,
  Concat: concat,
  Conv: conv,
  Div: binary,
  Flatten: flatten,
  Gemm: gemm,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  HardSwish: hardSwish,
  LeakyRelu: unary,
  MatMul: matMul,
  MaxPool: pool,
  Mul: binary,
  Relu: unary,
  Reshape: reshape,
  Sigmoid: unary,
  Softmax: softmax,
  Squeeze: squeeze,
  Sub: binary,
  Unsqueeze: unsqueeze,
};
