/**
 * @module BatchNormalization (shaders/normalization/batchnorm*.wgsl). Constant statistics (the exporters' case)
 * fold to one scale and shift per channel, and after a Conv into its weights (engine/optimize.ts). Statistics
 * that are data (graph inputs, other nodes' outputs) or the batch's own (training_mode, opset 14+) are read by
 * the kernels at run time: normalize, then scale and bias, two dispatches because compatibility mode allows
 * four storage bindings per stage.
 */
import batchnormWgsl from '../../shaders/normalization/batchnorm.wgsl';
import statisticsWgsl from '../../shaders/normalization/batchnorm_statistics.wgsl';
import normalizeWgsl from '../../shaders/normalization/batchnorm_normalize.wgsl';
import affineWgsl from '../../shaders/normalization/batchnorm_affine.wgsl';
import runningWgsl from '../../shaders/normalization/batchnorm_running.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { Dispatch, KernelContext, OpContext, OpDefinition, StorageSource } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { activationConstants, labelFor, WORKGROUP_SIZE } from './common.ts';

const NORMALIZATION = { family: 'normalization', workgroupSize: WORKGROUP_SIZE } as const;
const PER_ELEMENT = defineParams({ size: 'u32', channels: 'u32', plane: 'u32' });

const BATCHNORM = defineKernel({ ...NORMALIZATION, wgsl: batchnormWgsl, params: PER_ELEMENT, bindings: { x: 'f32', coefficients: 'f32', y: 'f32' } });
const NORMALIZE = defineKernel({
  ...NORMALIZATION,
  wgsl: normalizeWgsl,
  params: defineParams({ size: 'u32', channels: 'u32', plane: 'u32', epsilon: 'f32' }),
  bindings: { x: 'f32', mean: 'f32', variance: 'f32', y: 'f32' },
});
const AFFINE = defineKernel({ ...NORMALIZATION, wgsl: affineWgsl, params: PER_ELEMENT, bindings: { scale: 'f32', bias: 'f32', y: 'f32' } });
const STATISTICS = defineKernel({
  ...NORMALIZATION,
  wgsl: statisticsWgsl,
  params: defineParams({ batch: 'u32', channels: 'u32', plane: 'u32' }),
  bindings: { x: 'f32', mean: 'f32', variance: 'f32' },
});
const RUNNING = defineKernel({
  ...NORMALIZATION,
  wgsl: runningWgsl,
  params: defineParams({ channels: 'u32', momentum: 'f32' }),
  bindings: { input_mean: 'f32', input_var: 'f32', mean: 'f32', variance: 'f32' },
});

/** Opset 14+ training_mode: normalise with the batch's statistics and output the updated running ones. */
function trainingMode(ctx: OpContext): boolean {
  return ctx.opset >= 14 && attr(ctx.node, 'training_mode', 0) !== 0;
}

function check(ctx: OpContext): void {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  if (!trainingMode(ctx) && node.outputs.slice(1).some(Boolean)) {
    throw new UnsupportedVariantError('BatchNormalization', node.name, `statistics outputs at opset ${ctx.opset} without training_mode (opset 14+) are not supported`);
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

/** Statistics read at run time: the inputs', or in training mode the batch's (written to the outputs, or scratch). */
function dataDispatches(ctx: KernelContext): Dispatch[] {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  const [batch, channels] = x;
  const size = sizeOf(x);
  const plane = sizeOf(x.slice(2));
  const label = (kernel: string) => labelFor(kernel, node);
  const dispatches: Dispatch[] = [];
  let mean: StorageSource = { input: 3 };
  let variance: StorageSource = { input: 4 };
  const training = trainingMode(ctx);
  if (training) {
    mean = node.outputs[1] ? { output: 1 } : { scratch: 'mean', bytes: 4 * channels };
    variance = node.outputs[2] ? { output: 2 } : { scratch: 'variance', bytes: 4 * channels };
    dispatches.push(STATISTICS.dispatch({ label: label('batchnorm_statistics'), bindings: { x: { input: 0 }, mean, variance }, params: { batch, channels, plane }, invocations: channels }));
  }
  dispatches.push(
    NORMALIZE.dispatch({
      label: label('batchnorm_normalize'),
      bindings: { x: { input: 0 }, mean, variance, y: { output: 0 } },
      params: { size, channels, plane, epsilon: attr(node, 'epsilon', 1e-5) },
      invocations: size,
    }),
    AFFINE.dispatch({
      label: label('batchnorm_affine'),
      bindings: { scale: { input: 1 }, bias: { input: 2 }, y: { output: 0 } },
      params: { size, channels, plane },
      constants: activationConstants(node.activation),
      invocations: size,
    }),
  );
  if (training && (node.outputs[1] || node.outputs[2])) {
    dispatches.push(RUNNING.dispatch({
      label: label('batchnorm_running'),
      bindings: { input_mean: { input: 3 }, input_var: { input: 4 }, mean, variance },
      params: { channels, momentum: attr(node, 'momentum', 0.9) },
      invocations: channels,
    }));
  }
  return dispatches;
}

export const batchNormalization: OpDefinition = {
  oldestOpset: 7, // opsets 1-6 have is_test/consumed_inputs: training statistics unless is_test
  fusesActivation: true,
  inferShapes(ctx) {
    check(ctx);
    const x = ctx.inputShapes[0]!;
    return trainingMode(ctx) ? [[...x], [x[1]], [x[1]]] : [[...x]];
  },
  createDispatches(ctx) {
    check(ctx);
    const { node } = ctx;
    const x = ctx.inputShapes[0]!;
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => ctx.constants[k]?.floats);
    if (trainingMode(ctx) || !gamma || !beta || !mean || !variance) return dataDispatches(ctx);
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
