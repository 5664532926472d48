/** @module Ops that only reinterpret a shape (no kernel): Reshape, Flatten, Squeeze, Unsqueeze. */
import { attr } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { ConstTensor } from '../graph.ts';
import type { EvaluateContext, OpContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';

/** A view of a constant is the constant with the new shape (folded, e.g. Unsqueeze of a bias). */
function evaluateView(ctx: EvaluateContext): ConstTensor[] {
  return [{ ...ctx.constants[0]!, dims: [...ctx.outputShapes[0]] }];
}

function reshapeTarget(ctx: OpContext): number[] {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  const shape = ctx.opset >= 5 ? ctx.constants[1]?.ints : attr(node, 'shape', [] as number[]);
  if (!shape) throw new UnsupportedVariantError('Reshape', node.name, 'the target shape must be known before the run (a constant, or computed from constants and input shapes)');
  const allowZero = attr(node, 'allowzero', 0) === 1;
  const out = shape.map((d, i) => (d === 0 && !allowZero ? x[i] : d));
  const known = sizeOf(out.filter((d) => d !== -1));
  const inferred = out.indexOf(-1);
  if (inferred >= 0) out[inferred] = sizeOf(x) / known;
  if (sizeOf(out) !== sizeOf(x) || out.some((d) => !Number.isInteger(d))) {
    throw new InvalidShapeError(`Reshape (node "${node.name}"): cannot reshape [${x}] to [${shape}]`);
  }
  return out;
}

export const reshape: OpDefinition = { view: true, constantInputs: [1], inferShapes: (ctx) => [reshapeTarget(ctx)], evaluate: evaluateView };

export const flatten: OpDefinition = {
  view: true,
  inferShapes(ctx) {
    const x = ctx.inputShapes[0]!;
    let axis = attr(ctx.node, 'axis', 1);
    if (axis < 0) axis += x.length;
    return [[sizeOf(x.slice(0, axis)), sizeOf(x.slice(axis))]];
  },
  evaluate: evaluateView,
};

function axesOf(ctx: OpContext, rank: number): number[] | undefined {
  const axes = ctx.opset >= 13 ? ctx.constants[1]?.ints : attr(ctx.node, 'axes', [] as number[]);
  if (ctx.opset >= 13 && ctx.node.inputs[1] && !axes) throw new UnsupportedVariantError(ctx.node.opType, ctx.node.name, 'axes must be known before the run');
  return axes?.length ? axes.map((a) => (a < 0 ? a + rank : a)) : undefined;
}

export const squeeze: OpDefinition = {
  view: true,
  inferShapes(ctx) {
    const x = ctx.inputShapes[0]!;
    const axes = axesOf(ctx, x.length);
    return [x.filter((d, i) => (axes ? !axes.includes(i) : d !== 1))];
  },
  evaluate: evaluateView,
};

export const unsqueeze: OpDefinition = {
  view: true,
  inferShapes(ctx) {
    const x = ctx.inputShapes[0]!;
    const rank = x.length + (axesOf(ctx, 0)?.length ?? 0);
    const axes = (axesOf(ctx, rank) ?? []).sort((a, b) => a - b);
    const out = [...x];
    for (const a of axes) out.splice(a, 0, 1);
    return [out];
  },
  evaluate: evaluateView,
};
