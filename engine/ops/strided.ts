/**
 * @module A strided walk over an input (shaders/movement/strided_copy.wgsl and its CPU twin): output element at
 * coordinates c reads input element offset + sum(c[d] * strides[d]). Transpose, Slice, Split and Expand are each
 * one such walk, so they share the kernel, the folding code and the dim merging here.
 */
import stridedWgsl from '../../shaders/movement/strided_copy.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams, MAX_RANK } from '../wgsl/params.ts';
import { constTensor, valuesOf, type ConstTensor } from '../graph.ts';
import { UnsupportedVariantError } from '../errors.ts';
import type { Dispatch, PlannedNode, StorageSource } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { labelFor, WORKGROUP_SIZE } from './common.ts';

const STRIDED = defineKernel({
  wgsl: stridedWgsl,
  family: 'movement',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', rank: 'u32', offset: 'u32', dims: 'dims', strides: 'dims' }),
  bindings: { x: 'f32', y: 'f32' },
  // Elements per invocation along a contiguous innermost dim: 8 consecutive loads and stores per chunk.
  consts: { MAX_RUN: 8 },
});

export interface StridedWalk {
  /** Input element read for output coordinates all 0. */
  offset: number;
  /** Output dims. */
  dims: number[];
  /** Input element step per output dim (0: broadcast, negative: walking backwards). */
  strides: number[];
}

/** Row-major element strides of a dense tensor. */
export function denseStrides(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= dims[d];
  }
  return strides;
}

/**
 * The same walk with size-1 dims dropped and neighbours merged where the outer one steps exactly over the inner
 * one (a Transpose's untouched blocks become one dim): fewer divisions per element, and ranks above 8 often fit.
 */
export function mergeWalk(walk: StridedWalk): StridedWalk {
  const dims: number[] = [];
  const strides: number[] = [];
  walk.dims.forEach((d, k) => {
    if (d === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && strides[last] === walk.strides[k] * d) {
      dims[last] *= d;
      strides[last] = walk.strides[k];
    } else {
      dims.push(d);
      strides.push(walk.strides[k]);
    }
  });
  return { offset: walk.offset, dims, strides };
}

/** The walk on the CPU (constant folding): the output tensor of `walk` over `x`. */
export function evaluateWalk(x: ConstTensor, walk: StridedWalk, outShape: readonly number[]): ConstTensor {
  const values = valuesOf(x);
  const { dims, strides, offset } = walk;
  const out = new Array<number>(sizeOf(dims));
  const c = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let at = offset;
    for (let d = 0; d < dims.length; d++) at += c[d] * strides[d];
    out[i] = values[at];
    for (let d = dims.length - 1; d >= 0 && ++c[d] === dims[d]; d--) c[d] = 0;
  }
  return constTensor(x.dataType, outShape, out);
}

/** One dispatch copying `walk` of input `x` into output `y` (a dense tensor of the walk's dims). */
export function walkDispatch(node: PlannedNode, kernel: string, walk: StridedWalk, x: StorageSource, y: StorageSource): Dispatch {
  const merged = mergeWalk(walk);
  if (merged.dims.length > MAX_RANK) throw new UnsupportedVariantError(node.opType, node.name, `a walk of ${merged.dims.length} dims that cannot be merged; at most ${MAX_RANK} are supported`);
  // A scalar walk (every dim merged away) is one dim of 1.
  const dims = merged.dims.length ? merged.dims : [1];
  const strides = merged.dims.length ? merged.strides : [1];
  const size = sizeOf(dims);
  const inner = dims[dims.length - 1];
  const run = strides[strides.length - 1] === 1 ? Math.min(STRIDED.consts.MAX_RUN, inner) : 1;
  return STRIDED.dispatch({
    label: labelFor(kernel, node),
    bindings: { x, y },
    params: { size, rank: dims.length, offset: merged.offset, dims, strides },
    constants: { RUN: run },
    invocations: (size / inner) * Math.ceil(inner / run),
  });
}
