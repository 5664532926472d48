/** @module Add, Sub, Mul, Div with multidirectional broadcasting (shaders/elementwise/binary.wgsl), any rank up to MAX_RANK. */
import binaryWgsl from '../../shaders/elementwise/binary.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams, MAX_RANK } from '../wgsl/params.ts';
import { ModelLoadError, UnsupportedVariantError } from '../errors.ts';
import { constTensor, isFloat, valuesOf } from '../graph.ts';
import type { EvaluateContext, OpDefinition } from '../kernel.ts';
import { broadcastMap, broadcastShapes, broadcastStrides, sizeOf } from '../shape/broadcast.ts';
import { activationConstants, labelFor, WORKGROUP_SIZE } from './common.ts';

const BINARY = defineKernel({
  wgsl: binaryWgsl,
  family: 'elementwise',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', rank: 'u32', out_dims: 'dims', a_strides: 'dims', b_strides: 'dims' }),
  bindings: { a: 'f32', b: 'f32', z: 'f32' },
});

const OPS: Readonly<Record<string, number>> = { Add: 0, Sub: 1, Mul: 2, Div: 3 };

export interface CollapsedBroadcast {
  dims: number[];
  strides: number[][];
}

/**
 * Merges adjacent output dims that every operand walks the same way (both contiguous, or both broadcast), so
 * e.g. [2,3,4,5] + [4,5] becomes [6,20] + [1,20]: fewer divisions per element and ranks above 6 often fit.
 */
export function collapseBroadcast(outShape: readonly number[], operandShapes: readonly (readonly number[])[]): CollapsedBroadcast {
  const all = operandShapes.map((s) => broadcastStrides(s, outShape));
  const dims: number[] = [];
  const strides: number[][] = operandShapes.map(() => []);
  outShape.forEach((d, k) => {
    if (d === 1) return; // contributes nothing to any index
    const last = dims.length - 1;
    const mergeable = last >= 0 && all.every((s, j) => strides[j][last] === s[k] * d);
    if (mergeable) {
      dims[last] *= d;
      all.forEach((s, j) => (strides[j][last] = s[k]));
    } else {
      dims.push(d);
      all.forEach((s, j) => strides[j].push(s[k]));
    }
  });
  return { dims, strides };
}

/** The CPU form, for constant folding: integer Div truncates toward zero as onnxruntime's does. */
function evaluateBinary(ctx: EvaluateContext) {
  const { node } = ctx;
  const [a, b] = [ctx.constants[0]!, ctx.constants[1]!];
  const float = isFloat(a.dataType);
  const f: Record<string, (x: number, y: number) => number> = {
    Add: (x, y) => x + y,
    Sub: (x, y) => x - y,
    Mul: (x, y) => x * y,
    Div: (x, y) => {
      if (float) return x / y;
      if (y === 0) throw new ModelLoadError(`Div (node "${node.name}"): integer division by zero`);
      return Math.trunc(x / y);
    },
  };
  return [constTensor(a.dataType, ctx.outputShapes[0], broadcastMap(ctx.outputShapes[0], valuesOf(a), a.dims, valuesOf(b), b.dims, f[node.opType]))];
}

export const binary: OpDefinition = {
  oldestOpset: 7, // opsets 1-6 broadcast only with a `broadcast` attribute and `axis`
  fusesActivation: true,
  evaluate: evaluateBinary,
  inferShapes(ctx) {
    const { node } = ctx;
    return [broadcastShapes([ctx.inputShapes[0]!, ctx.inputShapes[1]!], `${node.opType} (node "${node.name}")`)];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const out = ctx.outputShapes[0];
    const [a, b] = [ctx.inputShapes[0]!, ctx.inputShapes[1]!];
    const size = sizeOf(out);
    const sameShape = sizeOf(a) === size && sizeOf(b) === size;
    const c = collapseBroadcast(out, [a, b]);
    if (c.dims.length > MAX_RANK) {
      throw new UnsupportedVariantError(node.opType, node.name, `broadcasting [${a}] with [${b}] needs ${c.dims.length} dims; at most ${MAX_RANK} are supported`);
    }
    return [BINARY.dispatch({
      label: labelFor(node.opType.toLowerCase(), node),
      bindings: { a: { input: 0 }, b: { input: 1 }, z: { output: 0 } },
      params: { size, rank: c.dims.length, out_dims: c.dims, a_strides: c.strides[0], b_strides: c.strides[1] },
      constants: { OP: OPS[node.opType], BROADCAST: sameShape ? 0 : 1, ...activationConstants(node.activation) },
      invocations: size,
    })];
  },
};
