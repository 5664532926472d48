/**
 * @module ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare,
 * ReduceLogSum, ReduceLogSumExp (shaders/reduce/reduce.wgsl), any rank up to MAX_RANK. Axes are an attribute up
 * to opset 17 (ReduceSum: 12) and an optional input from opset 18 (ReduceSum: 13), which also brings
 * noop_with_empty_axes; no other change in meaning across opsets 1..21.
 */
import reduceWgsl from '../../shaders/reduce/reduce.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import { attr, constTensor, isFloat, valuesOf } from '../graph.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { labelFor } from './common.ts';

/** `output_per_workgroup` halves its reduction, so the workgroup size must be a power of two. */
const REDUCE = defineKernel({
  wgsl: reduceWgsl,
  family: 'reduce',
  workgroupSize: 64,
  params: defineParams({
    outputs: 'u32', count: 'u32', kept_rank: 'u32', red_rank: 'u32',
    kept_dims: 'dims', kept_strides: 'dims', red_dims: 'dims', red_strides: 'dims',
  }),
  bindings: { x: 'f32', y: 'f32' },
});

/** As GlobalAveragePool (engine/ops/pool.ts): reductions this small leave most of a workgroup idle. */
const SMALL_REDUCTION = 64;

interface ReduceKind {
  /** REDUCE_KIND in the kernel. */
  code: number;
  init: number;
  lift: (v: number) => number;
  combine: (a: number, b: number) => number;
  finish: (acc: number, count: number) => number;
}

const same = (v: number) => v;
const add = (a: number, b: number) => a + b;
const square = (v: number) => v * v;

const KINDS: Readonly<Record<string, ReduceKind>> = {
  ReduceSum: { code: 0, init: 0, lift: same, combine: add, finish: same },
  ReduceMean: { code: 1, init: 0, lift: same, combine: add, finish: (acc, n) => acc / n },
  ReduceMax: { code: 2, init: -Infinity, lift: same, combine: Math.max, finish: same },
  ReduceMin: { code: 3, init: Infinity, lift: same, combine: Math.min, finish: same },
  ReduceProd: { code: 4, init: 1, lift: same, combine: (a, b) => a * b, finish: same },
  ReduceL1: { code: 5, init: 0, lift: Math.abs, combine: add, finish: same },
  ReduceL2: { code: 6, init: 0, lift: square, combine: add, finish: Math.sqrt },
  ReduceSumSquare: { code: 7, init: 0, lift: square, combine: add, finish: same },
  ReduceLogSum: { code: 8, init: 0, lift: same, combine: add, finish: Math.log },
  ReduceLogSumExp: { code: 9, init: 0, lift: Math.exp, combine: add, finish: Math.log },
};

/** The reduced axes, normalised and sorted; empty when nothing is reduced (noop_with_empty_axes). */
function reducedAxes(ctx: OpContext): number[] {
  const { node } = ctx;
  const rank = ctx.inputShapes[0]!.length;
  const axesAsInput = ctx.opset >= (node.opType === 'ReduceSum' ? 13 : 18);
  let axes: readonly number[] | undefined;
  if (!axesAsInput) axes = attr(node, 'axes', [] as number[]);
  else if (node.inputs[1]) {
    axes = ctx.constants[1]?.ints;
    if (!axes) throw new UnsupportedVariantError(node.opType, node.name, 'axes must be known before the run');
  }
  if (!axes?.length) {
    const noop = axesAsInput && attr(node, 'noop_with_empty_axes', 0) === 1;
    return noop ? [] : Array.from({ length: rank }, (_, i) => i);
  }
  const normalised = axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) throw new InvalidShapeError(`${node.opType} (node "${node.name}"): axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  return [...new Set(normalised)].sort((a, b) => a - b);
}

function outputShape(ctx: OpContext, axes: readonly number[]): number[] {
  const keep = attr(ctx.node, 'keepdims', 1) === 1;
  return ctx.inputShapes[0]!.flatMap((d, i) => (!axes.includes(i) ? [d] : keep ? [1] : []));
}

interface Group {
  dims: number[];
  strides: number[];
}

/**
 * The input split into kept and reduced dims, adjacent dims of the same group merged (NCHW reduced over [2, 3]
 * becomes kept [N*C] stride HW, reduced [HW] stride 1): fewer divisions per element, and the common case
 * becomes a contiguous run.
 */
export function reductionLayout(shape: readonly number[], axes: readonly number[]): { kept: Group; reduced: Group } {
  const kept: Group = { dims: [], strides: [] };
  const reduced: Group = { dims: [], strides: [] };
  let stride = sizeOf(shape);
  shape.forEach((d, k) => {
    stride /= d || 1;
    if (d === 1) return;
    const g = axes.includes(k) ? reduced : kept;
    const last = g.dims.length - 1;
    if (last >= 0 && g.strides[last] === stride * d) {
      g.dims[last] *= d;
      g.strides[last] = stride;
    } else {
      g.dims.push(d);
      g.strides.push(stride);
    }
  });
  return { kept, reduced };
}

export const reduce: OpDefinition = {
  inferShapes: (ctx) => [outputShape(ctx, reducedAxes(ctx))],
  evaluate(ctx) {
    const x = ctx.constants[0]!;
    const kind = KINDS[ctx.node.opType];
    const axes = reducedAxes(ctx);
    // Each input dim's stride in the output, 0 along reduced dims.
    let outStride = 1;
    const outStrides = x.dims.map(() => 0);
    for (let k = x.dims.length - 1; k >= 0; k--) {
      if (axes.includes(k)) continue;
      outStrides[k] = outStride;
      outStride *= x.dims[k];
    }
    const acc = new Array<number>(sizeOf(ctx.outputShapes[0])).fill(kind.init);
    const values = valuesOf(x);
    for (let i = 0; i < values.length; i++) {
      let rest = i;
      let o = 0;
      for (let k = x.dims.length - 1; k >= 0; k--) {
        o += (rest % x.dims[k]) * outStrides[k];
        rest = Math.floor(rest / x.dims[k]);
      }
      acc[o] = kind.combine(acc[o], kind.lift(values[i]));
    }
    const count = sizeOf(axes.map((a) => x.dims[a]));
    const out = acc.map((a) => kind.finish(a, count));
    return [constTensor(x.dataType, ctx.outputShapes[0], isFloat(x.dataType) ? out : out.map(Math.trunc))];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const x = ctx.inputShapes[0]!;
    const { kept, reduced } = reductionLayout(x, reducedAxes(ctx));
    const outputs = sizeOf(kept.dims);
    const count = sizeOf(reduced.dims);
    const contiguous = reduced.dims.length === 0 || (reduced.dims.length === 1 && reduced.strides[0] === 1);
    // Measured for GlobalAveragePool on llvmpipe: a thread per output beats a workgroup per output (barriers
    // are coroutine switches there); on GPUs a workgroup per long contiguous run keeps reads coalesced.
    const perWorkgroup = !ctx.device.software && contiguous && count > SMALL_REDUCTION;
    const shared = {
      label: labelFor(`${node.opType.toLowerCase()}${perWorkgroup ? '_wg' : ''}`, node),
      bindings: { x: { input: 0 }, y: { output: 0 } },
      params: {
        outputs, count, kept_rank: kept.dims.length, red_rank: reduced.dims.length,
        kept_dims: kept.dims, kept_strides: kept.strides, red_dims: reduced.dims, red_strides: reduced.strides,
      },
      constants: { REDUCE_KIND: KINDS[node.opType].code, CONTIGUOUS: contiguous ? 1 : 0 },
    } as const;
    return [perWorkgroup
      ? REDUCE.dispatch({ ...shared, entryPoint: 'output_per_workgroup', workgroups: outputs })
      : REDUCE.dispatch({ ...shared, entryPoint: 'output_per_invocation', invocations: outputs })];
  },
};
