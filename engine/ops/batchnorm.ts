/** @module Standalone inference BatchNormalization (shaders/normalization/batchnorm.wgsl); after a Conv it is folded away. */
import batchnormWgsl from '../../shaders/normalization/batchnorm.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { activationConstants, labelFor, WORKGROUP_SIZE } from './common.ts';

const BATCHNORM = defineKernel({
  wgsl: batchnormWgsl,
  family: 'normalization',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', channels: 'u32', plane: 'u32' }),
  bindings: { x: 'f32', coefficients: 'f32', y: 'f32' },
});

function check(ctx: OpContext): void {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  if (attr(node, 'training_mode', 0) !== 0 || node.outputs.slice(1).some(Boolean)) {
    throw new UnsupportedVariantError('BatchNormalization', node.name, 'training mode (running mean/variance outputs) is not supported');
  }
  if (attr(node, 'spatial', 1) !== 1) throw new UnsupportedVariantError('BatchNormalization', node.name, 'spatial=0 (per-element statistics) is not supported');
  if (x.length < 2) throw new InvalidShapeError(`BatchNormalization (node "${node.name}"): input [${x}] has no channel dim`);
  for (let k = 1; k <= 4; k++) {
    const s = ctx.inputShapes[k];
    if (!s || sizeOf(s) !== x[1]) throw new InvalidShapeError(`BatchNormalization (node "${node.name}"): input ${k} has shape [${s ?? ''}], expected [${x[1]}]`);
  }
}

/** [scale..., shift...] with scale = gamma / sqrt(var + eps) and shift = beta - mean * scale, computed in float64. */
export function batchNormCoefficients(gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number): Float32Array {
  const c = gamma.length;
  const out = new Float32Array(2 * c);
  for (let i = 0; i < c; i++) {
    const scale = gamma[i] / Math.sqrt(variance[i] + epsilon);
    out[i] = scale;
    out[c + i] = beta[i] - mean[i] * scale;
  }
  return out;
}

export const batchNormalization: OpDefinition = {
  constantInputs: [1, 2, 3, 4],
  fusesActivation: true,
  inferShapes(ctx) {
    check(ctx);
    return [[...ctx.inputShapes[0]!]];
  },
  createDispatches(ctx) {
    check(ctx);
    const { node } = ctx;
    const x = ctx.inputShapes[0]!;
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => ctx.constants[k]!.floats!);
    const size = sizeOf(x);
    const epsilon = attr(node, 'epsilon', 1e-5);
    return [BATCHNORM.dispatch({
      label: labelFor('batchnorm', node),
      bindings: {
        x: { input: 0 },
        coefficients: { derived: `batchnorm/${epsilon}`, from: [1, 2, 3, 4], compute: () => batchNormCoefficients(gamma, beta, mean, variance, epsilon) },
        y: { output: 0 },
      },
      params: { size, channels: x[1], plane: sizeOf(x.slice(2)) },
      constants: activationConstants(node.activation),
      invocations: size,
    })];
  },
};
