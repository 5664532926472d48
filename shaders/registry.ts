/**
 * @module The one table that maps an ONNX op type to its kernel. Adding or replacing a kernel is one line
 * here (or, without editing the project, `InferenceSession.create(device, bytes, { kernels: { Op: def } })`).
 * Each definition lives in engine/ops/<family>.ts next to its shaders/<family>/*.wgsl. Keep keys alphabetical.
 */
import type { OpDefinition } from '../engine/kernel.ts';
import { conv } from '../engine/ops/conv.ts';
import { unary } from '../engine/ops/unary.ts';
import { flatten, reshape, squeeze, unsqueeze } from '../engine/ops/view.ts';

export const KERNELS: Readonly<Record<string, OpDefinition>> = {
  Clip: unary,
  Conv: conv,
  Flatten: flatten,
  LeakyRelu: unary,
  Relu: unary,
  Reshape: reshape,
  Sigmoid: unary,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
};
