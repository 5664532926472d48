/** @module Expand (opset 8+): numpy broadcasting of the input to a shape known before the run, as a strided walk with 0 strides. */
import { UnsupportedVariantError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { broadcastShapes, broadcastStrides } from '../shape/broadcast.ts';
import { evaluateWalk, walkDispatch, type StridedWalk } from './strided.ts';

function walkOf(ctx: OpContext): StridedWalk {
  const x = ctx.inputShapes[0]!;
  const shape = ctx.constants[1]?.ints;
  if (!shape) throw new UnsupportedVariantError('Expand', ctx.node.name, 'the target shape must be integers known before the run');
  const dims = broadcastShapes([x, shape], `Expand (node "${ctx.node.name}")`);
  return { offset: 0, dims, strides: broadcastStrides(x, dims) };
}

export const expand: OpDefinition = {
  constantInputs: [1],
  inferShapes: (ctx) => [walkOf(ctx).dims],
  evaluate: (ctx) => [evaluateWalk(ctx.constants[0]!, walkOf(ctx), ctx.outputShapes[0])],
  createDispatches: (ctx) => [walkDispatch(ctx.node, 'expand', walkOf(ctx), { input: 0 }, { output: 0 })],
};
