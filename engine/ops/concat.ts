/** @module Concat on any axis (shaders/matrix/concat.wgsl), for when the planner cannot elide it. */
import concatWgsl from '../../shaders/matrix/concat.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { attr, constTensor, valuesOf } from '../graph.ts';
import { InvalidShapeError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { labelFor, WORKGROUP_SIZE } from './common.ts';

const CONCAT = defineKernel({
  wgsl: concatWgsl,
  family: 'matrix',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', in_block: 'u32', out_block: 'u32', offset: 'u32' }),
  bindings: { x: 'f32', y: 'f32' },
});

function concatAxis(ctx: OpContext): number {
  const { node } = ctx;
  const shapes = ctx.inputShapes.map((s) => s!);
  const rank = shapes[0].length;
  const raw = attr(node, 'axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 0 || axis >= rank) throw new InvalidShapeError(`Concat (node "${node.name}"): axis ${raw} is out of range for rank ${rank}`);
  for (const s of shapes) {
    if (s.length !== rank || s.some((d, i) => i !== axis && d !== shapes[0][i])) {
      throw new InvalidShapeError(`Concat (node "${node.name}"): inputs [${shapes.map((x) => `[${x}]`).join(', ')}] differ outside axis ${axis}`);
    }
  }
  return axis;
}

export const concat: OpDefinition = {
  oldestOpset: 4, // opsets 1-3 let axis default to 1
  inferShapes(ctx) {
    const axis = concatAxis(ctx);
    const out = [...ctx.inputShapes[0]!];
    out[axis] = ctx.inputShapes.reduce((a, s) => a + s![axis], 0);
    return [out];
  },
  evaluate(ctx) {
    const axis = concatAxis(ctx);
    const out = ctx.outputShapes[0];
    const outer = sizeOf(out.slice(0, axis));
    const inner = sizeOf(out.slice(axis + 1));
    const parts = ctx.constants.map((t) => ({ values: valuesOf(t!), block: t!.dims[axis] * inner }));
    const values: number[] = [];
    for (let o = 0; o < outer; o++) for (const p of parts) for (let i = 0; i < p.block; i++) values.push(p.values[o * p.block + i]);
    return [constTensor(ctx.constants[0]!.dataType, out, values)];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const axis = concatAxis(ctx);
    const out = ctx.outputShapes[0];
    const inner = sizeOf(out.slice(axis + 1));
    let offset = 0;
    return ctx.inputShapes.map((s, k) => {
      const inBlock = s![axis] * inner;
      const size = sizeOf(s!);
      const params = { size, in_block: inBlock, out_block: out[axis] * inner, offset };
      offset += inBlock;
      return CONCAT.dispatch({ label: labelFor('concat', node), bindings: { x: { input: k }, y: { output: 0 } }, params, invocations: size });
    });
  },
};
