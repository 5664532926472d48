/**
 * @module The kernel contract: what an op definition receives and what it returns.
 *
 * An op definition (engine/ops/*.ts, registered in shaders/registry.ts) does two things:
 * - `inferShapes`: output shapes from input shapes and attributes, pure CPU maths;
 * - `createDispatches`: the GPU work for one node, as WGSL plus bindings and a workgroup count.
 * The engine does the rest: uploads prepared data once, caches pipelines per device by shader text and
 * constants, creates bind groups at session build and records every dispatch of a run in one pass.
 */
import type { ConstTensor, GraphNode } from './graph.ts';

/** An activation applied by the producing kernel (Conv+Relu fusion and friends). */
export type Activation =
  | { kind: 'relu' }
  | { kind: 'leakyrelu'; alpha: number }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'sigmoid' };

/** A node after graph rewrites: the ONNX node plus what the optimizer fused into it. */
export interface PlannedNode extends GraphNode {
  activation?: Activation;
}

export interface OpContext {
  node: PlannedNode;
  opset: number;
  /** Shape of each input; an omitted optional input has `undefined`. */
  inputShapes: (readonly number[] | undefined)[];
  /** The value of each input that is a constant (initializer or folded Constant), else undefined. */
  constants: (ConstTensor | undefined)[];
}

/** What the engine knows about the device when kernels pick variants. */
export interface DeviceProfile {
  limits: GPUSupportedLimits;
  /** True on CPU rasterisers (llvmpipe): register tiling beats workgroup memory there. */
  software: boolean;
}

export interface KernelContext extends OpContext {
  outputShapes: (readonly number[])[];
  device: DeviceProfile;
}

/** Where a binding's buffer comes from. Bindings are numbered in array order: inputs, outputs, then uniforms. */
export type BindingSource =
  /** A node input: activation, graph input or initializer uploaded as is. */
  | { input: number }
  /** A node output. */
  | { output: number }
  /** Read-only data the kernel prepared at build time (e.g. weights re-laid-out for its access pattern). */
  | { data: Float32Array | Uint32Array }
  /** A uniform block, usually made by `ParamBlock.pack` (shaders/params.ts). */
  | { uniform: Uint32Array };

export interface Dispatch {
  /** GPU label and profiling name, e.g. `conv2d_1x1:fire2/expand1x1`. */
  label: string;
  /** The kernel family for per-family profiling, e.g. `conv`. */
  family: string;
  /** Complete WGSL module. */
  code: string;
  /** Where the WGSL came from, for compiler messages (e.g. `shaders/conv/conv2d.wgsl`). */
  source: string;
  entryPoint?: string;
  /** Pipeline-overridable constants (`override` declarations). */
  constants?: Record<string, number>;
  bindings: BindingSource[];
  /** Workgroups to launch, as a 1-D count; the engine folds it into 2-D when over the per-dimension limit. */
  workgroups: number;
}

export interface OpDefinition {
  /** Output shapes; throws InvalidShapeError or UnsupportedVariantError. */
  inferShapes(ctx: OpContext): number[][];
  /** Output 0 is input 0 with another shape, no data moved (Reshape, Flatten, Squeeze...). */
  view?: boolean;
  /** Inputs that must be constants (weights, shapes); checked before any GPU work. */
  constantInputs?: number[];
  /** Activation kinds this op can apply to its output (enables fusion). */
  fusesActivation?: boolean;
  createDispatches(ctx: KernelContext): Dispatch[];
}
