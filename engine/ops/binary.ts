/** @module Add, Sub, Mul, Div with multidirectional broadcasting (shaders/elementwise/binary.wgsl). */
import binaryWgsl from '../../shaders/elementwise/binary.wgsl';
import { defineParams } from '../../shaders/params.ts';
import { ModelLoadError, UnsupportedVariantError } from '../errors.ts';
import { constTensor, isFloat, valuesOf } from '../graph.ts';
import type { EvaluateContext, OpDefinition } from '../kernel.ts';
import { broadcastMap, broadcastShapes, broadcastStrides, sizeOf } from '../shape/broadcast.ts';
import { activationConstants, labelFor, shaderModule, workgroupsFor, WORKGROUP_SIZE } from './common.ts';

const BINARY_PARAMS = defineParams({
  size: 'u32',
  out_dims: 'vec4u', out_dims_hi: 'vec4u',
  a_strides: 'vec4u', a_strides_hi: 'vec4u',
  b_strides: 'vec4u', b_strides_hi: 'vec4u',
});

const MAX_RANK = 6;
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

/** Right-aligns to MAX_RANK: leading dims of 1 and stride 0. */
function padLeft(v: readonly number[], fill: number): number[] {
  return [...new Array<number>(MAX_RANK - v.length).fill(fill), ...v];
}

export const binary: OpDefinition = {
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
    const dims = padLeft(c.dims, 1);
    const sa = padLeft(c.strides[0], 0);
    const sb = padLeft(c.strides[1], 0);
    const params = BINARY_PARAMS.pack({
      size,
      out_dims: dims.slice(0, 4), out_dims_hi: dims.slice(4),
      a_strides: sa.slice(0, 4), a_strides_hi: sa.slice(4),
      b_strides: sb.slice(0, 4), b_strides_hi: sb.slice(4),
    });
    return [{
      label: labelFor(node.opType.toLowerCase(), node),
      family: 'elementwise',
      code: shaderModule(BINARY_PARAMS, binaryWgsl),
      source: 'shaders/elementwise/binary.wgsl',
      constants: { WORKGROUP_SIZE, OP: OPS[node.opType], BROADCAST: sameShape ? 0 : 1, ...activationConstants(node.activation) },
      bindings: [{ input: 0 }, { input: 1 }, { output: 0 }, { uniform: params }],
      workgroups: workgroupsFor(size),
    }];
  },
};
