/**
 * @module Sum, Mean, Max, Min: any number of inputs with multidirectional broadcasting
 * (shaders/elementwise/variadic.wgsl). Broadcasting came with opset 8; opset 6-7 files (same-shape inputs)
 * mean the same.
 */
import variadicWgsl from '../../shaders/elementwise/variadic.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams, MAX_RANK } from '../wgsl/params.ts';
import { UnsupportedVariantError } from '../errors.ts';
import { constTensor, valuesOf, type ConstTensor } from '../graph.ts';
import type { OpDefinition } from '../kernel.ts';
import { broadcastMap, broadcastShapes, sizeOf } from '../shape/broadcast.ts';
import { collapseBroadcast } from './binary.ts';
import { labelFor, WORKGROUP_SIZE } from './common.ts';

const VARIADIC = defineKernel({
  wgsl: variadicWgsl,
  family: 'elementwise',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', rank: 'u32', out_dims: 'dims', x0_strides: 'dims', x1_strides: 'dims', x2_strides: 'dims' }),
  bindings: { x0: 'f32', x1: 'f32', x2: 'f32', y: 'f32' },
});

/** Inputs per dispatch: with y, the 4 storage buffers compatibility mode allows. */
const PER_DISPATCH = 3;

const OPS: Readonly<Record<string, { code: number; cpu: (a: number, b: number) => number }>> = {
  Sum: { code: 0, cpu: (a, b) => a + b },
  Mean: { code: 0, cpu: (a, b) => a + b },
  Max: { code: 1, cpu: Math.max },
  Min: { code: 2, cpu: Math.min },
};

/** Inputs present (an optional-input gap '' is not an operand). */
function operands<T>(ctx: { node: { inputs: string[] } }, values: readonly T[]): T[] {
  return values.filter((_, i) => ctx.node.inputs[i]);
}

export const variadic: OpDefinition = {
  inferShapes(ctx) {
    return [broadcastShapes(operands(ctx, ctx.inputShapes) as number[][], `${ctx.node.opType} (node "${ctx.node.name}")`)];
  },
  evaluate(ctx) {
    const { node } = ctx;
    const inputs = operands(ctx, ctx.constants) as ConstTensor[];
    const out = ctx.outputShapes[0];
    let acc: ArrayLike<number> = valuesOf(inputs[0]);
    let accDims: readonly number[] = inputs[0].dims;
    for (const t of inputs.slice(1)) {
      acc = broadcastMap(out, acc, accDims, valuesOf(t), t.dims, OPS[node.opType].cpu);
      accDims = out;
    }
    // A single input, or inputs smaller than the output: spread to the output's shape.
    const full = broadcastMap(out, acc, accDims, [0], [], (a) => a);
    const n = inputs.length;
    return [constTensor(inputs[0].dataType, out, node.opType === 'Mean' ? full.map((v) => v / n) : full)];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const out = ctx.outputShapes[0];
    const size = sizeOf(out);
    const inputs = ctx.node.inputs.flatMap((v, i) => (v ? [i] : []));
    const chunks: number[][] = [];
    for (let k = 0; k < inputs.length; k += PER_DISPATCH) chunks.push(inputs.slice(k, k + PER_DISPATCH));
    return chunks.map((chunk, k) => {
      const c = collapseBroadcast(out, chunk.map((i) => ctx.inputShapes[i]!));
      if (c.dims.length > MAX_RANK) {
        throw new UnsupportedVariantError(node.opType, node.name, `broadcasting its inputs needs ${c.dims.length} dims; at most ${MAX_RANK} are supported`);
      }
      // Unused slots read input chunk[0] again with no stride: never used past COUNT.
      const strides = (j: number) => c.strides[j] ?? c.dims.map(() => 0);
      const slot = (j: number) => ({ input: chunk[j] ?? chunk[0] });
      const last = k === chunks.length - 1;
      return VARIADIC.dispatch({
        label: labelFor(node.opType.toLowerCase(), node),
        bindings: { x0: slot(0), x1: slot(1), x2: slot(2), y: { output: 0 } },
        params: { size, rank: c.dims.length, out_dims: c.dims, x0_strides: strides(0), x1_strides: strides(1), x2_strides: strides(2) },
        constants: { OP: OPS[node.opType].code, COUNT: chunk.length, ACCUMULATE: k > 0 ? 1 : 0, SCALE: last && node.opType === 'Mean' ? 1 / inputs.length : 1 },
        invocations: size,
      });
    });
  },
};
