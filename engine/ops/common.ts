/** @module Helpers every op definition uses: the default workgroup size, activation constants, labels, window geometry. */
import type { Activation, PlannedNode } from '../kernel.ts';
import { attr } from '../graph.ts';
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

/** `label` for a dispatch: kernel name and node name, shown in errors and profiles. */
export function labelFor(kernel: string, node: { name: string }): string {
  return `${kernel}:${node.name}`;
}

export interface NodeWindow extends WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
}

/** Sliding-window geometry (Conv, pools) from a node's strides, dilations, pads, auto_pad and ceil_mode. */
export function nodeWindow(node: PlannedNode, spatial: readonly number[], kernel: number[], ceilMode: boolean): NodeWindow {
  const strides = attr(node, 'strides', [1, 1]);
  const dilations = attr(node, 'dilations', [1, 1]);
  const geometry = windowGeometry(spatial, {
    kernel,
    strides,
    dilations,
    pads: attr(node, 'pads', [0, 0, 0, 0]),
    autoPad: attr(node, 'auto_pad', 'NOTSET') as AutoPad,
    ceilMode,
  });
  return { ...geometry, kernel, strides, dilations };
}
