/** @module Helpers every op definition uses: the default workgroup size, activation constants, labels, window geometry. */
import type { Activation, OpContext, PlannedNode } from '../kernel.ts';
import { attr, type ConstTensor } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import { windowGeometry, type AutoPad, type WindowGeometry } from '../shape/window.ts';
import { defineParams } from '../wgsl/params.ts';

/** Threads per workgroup for 1-D kernels: within compatibility mode's 128 and a multiple of every SIMD width. */
export const WORKGROUP_SIZE = 64;

/**
 * The kernel definition of a one-input elementwise op, y = f(x), less its file: `defineKernel({ ...ELEMENTWISE,
 * wgsl })` declares `x` (read) and `y` (written) as array<f32> and `params.size`, one thread per element.
 */
export const ELEMENTWISE = {
  family: 'elementwise',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32' }),
  bindings: { x: 'f32', y: 'f32' },
} as const;

/** Values for shaders/common/activation.wgsl's overrides (all four: the snippet declares them without defaults). */
export function activationConstants(a: Activation | undefined): Record<string, number> {
  const none = { ACTIVATION: 0, ACT_ALPHA: 0, ACT_MIN: 0, ACT_MAX: 0 };
  switch (a?.kind) {
    case undefined: return none;
    case 'relu': return { ...none, ACTIVATION: 1 };
    case 'leakyrelu': return { ...none, ACTIVATION: 2, ACT_ALPHA: a.alpha };
    case 'clip': return { ...none, ACTIVATION: 3, ACT_MIN: Math.max(a.min, -3.4e38), ACT_MAX: Math.min(a.max, 3.4e38) };
    case 'sigmoid': return { ...none, ACTIVATION: 4 };
  }
}

/** Input i's value, which must be known before the run (shapes, axes, pads, indices); undefined when omitted. */
export function knownInput(ctx: OpContext, i: number): ConstTensor | undefined {
  if (!ctx.node.inputs[i]) return undefined;
  const t = ctx.constants[i];
  if (!t) throw new UnsupportedVariantError(ctx.node.opType, ctx.node.name, `input ${i} ("${ctx.node.inputs[i]}") must be known before the run`);
  return t;
}

/** A normalised axis in [0, rank): negative axes count from the end. */
export function axisIn(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new InvalidShapeError(`${ctx.node.opType} (node "${ctx.node.name}"): axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** `label` for a dispatch: kernel name and node name, shown in errors and profiles. */
export function labelFor(kernel: string, node: { name: string }): string {
  return `${kernel}:${node.name}`;
}

export interface NodeWindow extends WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
}

/** Sliding-window geometry (Conv, pools) of any spatial rank from a node's strides, dilations, pads, auto_pad and ceil_mode. */
export function nodeWindow(node: PlannedNode, spatial: readonly number[], kernel: number[], ceilMode: boolean): NodeWindow {
  const ones = spatial.map(() => 1);
  const strides = attr(node, 'strides', ones);
  const dilations = attr(node, 'dilations', ones);
  const geometry = windowGeometry(spatial, {
    kernel,
    strides,
    dilations,
    pads: attr(node, 'pads', [...spatial, ...spatial].map(() => 0)),
    autoPad: attr(node, 'auto_pad', 'NOTSET') as AutoPad,
    ceilMode,
  });
  return { ...geometry, kernel, strides, dilations };
}

/** A 1-D window as a 2-D one of height 1, for the 2-D kernels: one walk serves both. */
export function liftTo2d(w: NodeWindow): NodeWindow {
  return {
    kernel: [1, w.kernel[0]],
    strides: [1, w.strides[0]],
    dilations: [1, w.dilations[0]],
    pads: [0, w.pads[0], 0, w.pads[1]],
    output: [1, w.output[0]],
  };
}
