/** @module Transpose of any rank (a strided walk, engine/ops/strided.ts); one that only moves size-1 dims is a view. */
import { attr } from '../graph.ts';
import { InvalidShapeError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { denseStrides, evaluateWalk, walkDispatch, type StridedWalk } from './strided.ts';

/** `perm`, default reversed dims; checked to be a permutation. */
function permOf(ctx: OpContext): number[] {
  const rank = ctx.inputShapes[0]!.length;
  const perm = attr(ctx.node, 'perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
  const sorted = [...perm].sort((a, b) => a - b);
  if (sorted.some((p, i) => p !== i)) throw new InvalidShapeError(`Transpose (node "${ctx.node.name}"): perm [${perm}] is not a permutation of the ${rank} dims`);
  return perm;
}

function walkOf(ctx: OpContext): StridedWalk {
  const x = ctx.inputShapes[0]!;
  const strides = denseStrides(x);
  const perm = permOf(ctx);
  return { offset: 0, dims: perm.map((p) => x[p]), strides: perm.map((p) => strides[p]) };
}

export const transpose: OpDefinition = {
  inferShapes: (ctx) => [walkOf(ctx).dims],
  // The dims larger than 1 keep their order: the bytes are the same, only the shape changes.
  viewWhen(ctx) {
    const x = ctx.inputShapes[0]!;
    const moved = permOf(ctx).filter((p) => x[p] !== 1);
    return moved.every((p, i) => i === 0 || moved[i - 1] < p);
  },
  evaluate: (ctx) => [evaluateWalk(ctx.constants[0]!, walkOf(ctx), ctx.outputShapes[0])],
  createDispatches: (ctx) => [walkDispatch(ctx.node, 'transpose', walkOf(ctx), { input: 0 }, { output: 0 })],
};
