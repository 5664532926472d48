/** @module Softmax under both opset semantics (shaders/normalization/softmax.wgsl). */
import softmaxWgsl from '../../shaders/normalization/softmax.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { labelFor, WORKGROUP_SIZE } from './common.ts';

/** `row_per_workgroup` halves its reduction, so the workgroup size must be a power of two. */
const SOFTMAX = defineKernel({
  wgsl: softmaxWgsl,
  family: 'normalization',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ rows: 'u32', axis_len: 'u32', inner: 'u32' }),
  bindings: { x: 'f32', y: 'f32' },
});

/** Rows at least this long get a workgroup each; shorter ones a thread each. */
const WORKGROUP_ROW_MIN = 256;
/**
 * On CPU rasterisers a barrier is a coroutine switch: measured on llvmpipe, a thread per row already wins at
 * 8 rows of 1000 (2.4 vs 3.4 ms for 16 softmaxes) and loses only when a few rows leave threads idle
 * (1 row of 20000: 22 vs 5 ms).
 */
const SOFTWARE_WORKGROUP_ROWS_MAX = 4;

export interface SoftmaxRows {
  outer: number;
  axisLen: number;
  inner: number;
}

/**
 * Opset < 13 flattens to 2-D at `axis` (default 1) and normalises the whole trailing block; opset >= 13
 * normalises along the single `axis` (default -1).
 */
export function softmaxRows(ctx: OpContext): SoftmaxRows {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  const legacy = ctx.opset < 13;
  let axis = attr(node, 'axis', legacy ? 1 : -1);
  if (axis < 0) axis += x.length;
  if (axis < 0 || axis >= x.length) {
    throw new InvalidShapeError(`Softmax (node "${node.name}"): axis ${attr(node, 'axis', 0)} is out of range for rank ${x.length}`);
  }
  if (legacy) return { outer: sizeOf(x.slice(0, axis)), axisLen: sizeOf(x.slice(axis)), inner: 1 };
  return { outer: sizeOf(x.slice(0, axis)), axisLen: x[axis], inner: sizeOf(x.slice(axis + 1)) };
}

export const softmax: OpDefinition = {
  inferShapes(ctx) {
    softmaxRows(ctx);
    return [[...ctx.inputShapes[0]!]];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const { outer, axisLen, inner } = softmaxRows(ctx);
    const rows = outer * inner;
    const perWorkgroup = axisLen >= WORKGROUP_ROW_MIN && (!ctx.device.software || rows < SOFTWARE_WORKGROUP_ROWS_MAX);
    const shared = { bindings: { x: { input: 0 }, y: { output: 0 } }, params: { rows, axis_len: axisLen, inner } } as const;
    return [perWorkgroup
      ? SOFTMAX.dispatch({ ...shared, label: labelFor('softmax_wg', node), entryPoint: 'row_per_workgroup', workgroups: rows })
      : SOFTMAX.dispatch({ ...shared, label: labelFor('softmax', node), entryPoint: 'row_per_invocation', invocations: rows })];
  },
};
