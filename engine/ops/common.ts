/** @module Helpers every op definition uses: shader assembly, activation constants, dispatch sizing. */
import activationWgsl from '../../shaders/common/activation.wgsl';
import invocationWgsl from '../../shaders/common/invocation.wgsl';
import type { Activation, PlannedNode } from '../kernel.ts';
import { attr } from '../graph.ts';
import { windowGeometry, type AutoPad, type WindowGeometry } from '../shape/window.ts';
import type { ParamBlock, ParamType } from '../../shaders/params.ts';

/** Threads per workgroup for 1-D kernels: within compatibility mode's 128 and a multiple of every SIMD width. */
export const WORKGROUP_SIZE = 64;

/**
 * A kernel module: the kernel's own `.wgsl` file, then the generated Params struct and the shared snippets
 * (invocation index, fused activation). Whole files only: no fragments are spliced into a kernel's body.
 * The kernel comes first so compiler line numbers are the kernel file's own (WGSL does not care about the
 * order of module-scope declarations).
 */
export function shaderModule(params: ParamBlock<Record<string, ParamType>>, kernelWgsl: string): string {
  return `${kernelWgsl}\n${params.wgsl}\n${invocationWgsl}\n${activationWgsl}`;
}

/** Pipeline constants for shaders/common/activation.wgsl. */
export function activationConstants(a: Activation | undefined): Record<string, number> {
  switch (a?.kind) {
    case undefined: return { ACTIVATION: 0 };
    case 'relu': return { ACTIVATION: 1 };
    case 'leakyrelu': return { ACTIVATION: 2, ACT_ALPHA: a.alpha };
    case 'clip': return { ACTIVATION: 3, ACT_MIN: Math.max(a.min, -3.4e38), ACT_MAX: Math.min(a.max, 3.4e38) };
    case 'sigmoid': return { ACTIVATION: 4 };
  }
}

/** Workgroups for `invocations` threads of WORKGROUP_SIZE. */
export function workgroupsFor(invocations: number, size = WORKGROUP_SIZE): number {
  return Math.ceil(invocations / size);
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
