/**
 * @module Slice and Split: each output is a box of the input, read by a strided walk (engine/ops/strided.ts).
 * Slice's starts/ends/axes/steps are attributes before opset 10 and inputs from 10 (negative steps walk
 * backwards); Split's sizes are an attribute before 13, an input from 13, or `num_outputs` from 18.
 */
import { attr } from '../graph.ts';
import { InvalidShapeError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { axisIn, knownInput } from './common.ts';
import { denseStrides, evaluateWalk, walkDispatch, type StridedWalk } from './strided.ts';

/** Input i's integer values, which must be known before the run; undefined when the input is omitted. */
function intsOf(ctx: OpContext, i: number): number[] | undefined {
  const t = knownInput(ctx, i);
  if (t && !t.ints) throw new InvalidShapeError(`${ctx.node.opType} (node "${ctx.node.name}"): input ${i} ("${ctx.node.inputs[i]}") must be integers`);
  return t?.ints;
}

function sliceWalk(ctx: OpContext): StridedWalk {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  const old = ctx.opset < 10;
  const starts = old ? attr(node, 'starts', [] as number[]) : intsOf(ctx, 1)!;
  const ends = old ? attr(node, 'ends', [] as number[]) : intsOf(ctx, 2)!;
  const axes = (old ? attr(node, 'axes', [] as number[]) : intsOf(ctx, 3)) ?? [];
  const steps = (old ? undefined : intsOf(ctx, 4)) ?? [];
  const count = starts.length;
  if (ends.length !== count || (axes.length && axes.length !== count) || (steps.length && steps.length !== count)) {
    throw new InvalidShapeError(`Slice (node "${node.name}"): starts, ends, axes and steps differ in length`);
  }
  const inStrides = denseStrides(x);
  const dims = [...x];
  const strides = [...inStrides];
  let offset = 0;
  const seen = new Set<number>();
  for (let k = 0; k < count; k++) {
    const axis = axisIn(ctx, axes.length ? axes[k] : k, x.length);
    if (seen.has(axis)) throw new InvalidShapeError(`Slice (node "${node.name}"): axis ${axis} is repeated`);
    seen.add(axis);
    const n = x[axis];
    const step = steps.length ? steps[k] : 1;
    if (step === 0) throw new InvalidShapeError(`Slice (node "${node.name}"): step 0 on axis ${axis}`);
    // ONNX: negative bounds count from the end, then clamp to [0, n] going forwards, [-1, n - 1] backwards.
    const [lo, hi] = step > 0 ? [0, n] : [-1, n - 1];
    const clamp = (v: number) => Math.min(hi, Math.max(lo, v < 0 ? v + n : v));
    const start = clamp(starts[k]);
    const end = clamp(ends[k]);
    dims[axis] = Math.max(0, Math.ceil((end - start) / step));
    strides[axis] = inStrides[axis] * step;
    offset += start * inStrides[axis];
  }
  return { offset, dims, strides };
}

export const slice: OpDefinition = {
  inferShapes: (ctx) => [sliceWalk(ctx).dims],
  evaluate: (ctx) => [evaluateWalk(ctx.constants[0]!, sliceWalk(ctx), ctx.outputShapes[0])],
  createDispatches: (ctx) => [walkDispatch(ctx.node, 'slice', sliceWalk(ctx), { input: 0 }, { output: 0 })],
};

/** Split's axis and the size of each output along it. */
function splitSizes(ctx: OpContext): { axis: number; sizes: number[] } {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  const axis = axisIn(ctx, attr(node, 'axis', 0), x.length);
  const n = x[axis];
  const outputs = node.outputs.length;
  let sizes = ctx.opset < 13 ? attr(node, 'split', [] as number[]) : (intsOf(ctx, 1) ?? []);
  if (!sizes.length) {
    // Equal parts; from opset 18 `num_outputs` parts of ceil(n / num_outputs), the last one smaller.
    const parts = ctx.opset >= 18 ? attr(node, 'num_outputs', outputs) : outputs;
    const part = Math.ceil(n / parts);
    if (ctx.opset < 18 && n % parts !== 0) throw new InvalidShapeError(`Split (node "${node.name}"): a dim of ${n} does not split into ${parts} equal parts`);
    sizes = Array.from({ length: parts }, (_, k) => Math.max(0, Math.min(part, n - k * part)));
  }
  if (sizes.length !== outputs || sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new InvalidShapeError(`Split (node "${node.name}"): sizes [${sizes}] do not split a dim of ${n} into ${outputs} outputs`);
  }
  return { axis, sizes };
}

function splitWalks(ctx: OpContext): StridedWalk[] {
  const x = ctx.inputShapes[0]!;
  const { axis, sizes } = splitSizes(ctx);
  const strides = denseStrides(x);
  let start = 0;
  return sizes.map((size) => {
    const walk = { offset: start * strides[axis], dims: x.map((d, i) => (i === axis ? size : d)), strides };
    start += size;
    return walk;
  });
}

export const split: OpDefinition = {
  inferShapes: (ctx) => splitWalks(ctx).map((w) => w.dims),
  evaluate: (ctx) => splitWalks(ctx).map((w, k) => evaluateWalk(ctx.constants[0]!, w, ctx.outputShapes[k])),
  createDispatches: (ctx) => splitWalks(ctx).map((w, k) => walkDispatch(ctx.node, 'split', w, { input: 0 }, { output: k })),
};
