/**
 * @module The kernel contract: what an op definition receives and what it returns.
 *
 * An op definition (engine/ops/*.ts, registered in engine/ops/registry.ts) does up to three things:
 * - `inferShapes`: output shapes from input shapes and attributes, pure CPU maths;
 * - `evaluate`: the outputs themselves, on the CPU, when the inputs are known before any run (constant
 *   folding: Shape, Gather, Cast... of constants, at prepare time or when a plan fixes the input shapes);
 * - `createDispatches`: the GPU work for one node, as WGSL plus bindings and a workgroup count.
 * The engine does the rest: uploads weights once per device, caches pipelines per device by shader text and
 * constants, creates bind groups when a plan is built and records every dispatch of a run in one pass.
 */
import type { ConstTensor, DataType, GraphNode } from './graph.ts';
import type { PackedParams } from './wgsl/params.ts';
import type { WgslSource } from './wgsl/source.ts';

/** An activation applied by the producing kernel (Conv+Relu fusion and friends). */
export type Activation =
  | { kind: 'relu' }
  | { kind: 'leakyrelu'; alpha: number }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'sigmoid' };

/** A node after graph rewrites: the ONNX node plus what the optimizer fused into it. */
export interface PlannedNode extends GraphNode {
  activation?: Activation;
  /**
   * Index of an input added to the output before the activation: a residual Add fused into its producer
   * (engine/residual.ts), y = activation(op(x) + inputs[residualInput]), same shape as the output.
   */
  residualInput?: number;
}

export interface OpContext {
  node: PlannedNode;
  opset: number;
  /** Shape of each input; an omitted optional input has `undefined`. */
  inputShapes: (readonly number[] | undefined)[];
  /** The value of each input that is known before any run (initializer or folded), else undefined. */
  constants: (ConstTensor | undefined)[];
}

/** What `evaluate` receives: the inferred output shapes besides the inputs. */
export interface EvaluateContext extends OpContext {
  outputShapes: (readonly number[])[];
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

/**
 * Part of an activation, relative to the value's own bytes: lets an op split a tensor larger than
 * maxStorageBufferBindingSize over several dispatches. `byteOffset` must keep the binding offset a multiple of
 * minStorageBufferOffsetAlignment.
 */
export interface ByteRange {
  byteOffset: number;
  byteSize: number;
}

/** Where a binding's buffer comes from. */
export type BindingSource =
  /** A node input: an activation, a graph input, or a constant (uploaded once per device when it is a weight). */
  | { input: number; range?: ByteRange }
  /** A node output. */
  | { output: number; range?: ByteRange }
  /**
   * Read-only data computed from constant inputs, e.g. weights re-laid out for the kernel's access pattern.
   * Built lazily and uploaded once per device, then shared by every plan on that device (all batch sizes):
   * the engine keys it by `derived` and the names of the `from` inputs, so `derived` must name the
   * transformation and every parameter `compute` uses besides those inputs' values (e.g. `channels_last/8`).
   */
  | { derived: string; from: readonly number[]; compute: () => Float32Array | Uint32Array }
  /** Small read-only data owned by the plan (uploaded once per plan). */
  | { data: Float32Array | Uint32Array }
  /**
   * A read_write buffer of `bytes` owned by the plan and shared by the dispatches of one node that name the same
   * `scratch`: what one dispatch computes at run time for the next (weights re-laid out from a run-time W, a
   * batch's statistics). Never shared between nodes, so no other value can be overwritten through it.
   */
  | { scratch: string; bytes: number }
  /** The uniform block, made by `ParamBlock.pack` (engine/wgsl/params.ts); declared `var<uniform> params: Params`. */
  | { uniform: PackedParams };

/** The buffer of a storage binding: every source but the uniform block. */
export type StorageSource = Exclude<BindingSource, { uniform: PackedParams }>;

/**
 * Element types a storage binding declares. A u32 binding of a 1-byte value (a uint8 input, a bool) sees its
 * bytes packed four to a word, little-endian.
 */
export type StorageElement = 'f32' | 'vec4<f32>' | 'u32' | 'i32';

/**
 * One binding of a dispatch: its buffer, and the name and element type of the WGSL declaration the engine
 * generates for it (`var<storage, read> name: array<type>`; outputs `read_write`; the uniform `params`).
 * Bindings are numbered in array order.
 */
export type DispatchBinding = BindingSource & { name: string; type?: StorageElement };

export interface Dispatch {
  /** GPU label and profiling name, e.g. `conv2d_1x1:fire2/expand1x1`. */
  label: string;
  /** The kernel family for per-family profiling, e.g. `conv`. */
  family: string;
  /** The kernel file: its body (no binding or Params declarations: they are generated) and its path. */
  kernel: WgslSource;
  entryPoint?: string;
  /** Values of the kernel's `override` declarations: workgroup size, tiles, variants. */
  constants?: Record<string, number>;
  /** Module-scope `const` declarations, for sizes WGSL needs when the shader is created (register arrays). */
  consts?: Record<string, number>;
  bindings: DispatchBinding[];
  /** Workgroups to launch, as a 1-D count; the engine folds it into 2-D when over the per-dimension limit. */
  workgroups: number;
}

export interface OpDefinition {
  /** Output shapes; throws InvalidShapeError or UnsupportedVariantError. */
  inferShapes(ctx: OpContext): number[][];
  /** Output element types from the input types (default: every output has input 0's type). */
  outputTypes?(node: PlannedNode, inputTypes: readonly (DataType | undefined)[]): DataType[];
  /**
   * Computes the outputs on the CPU. The engine calls it when every input is a constant (at prepare time,
   * or when a plan is made), or, for `foldsFromShapes` ops, as soon as the input shapes are known; the node
   * then costs nothing at run time.
   */
  evaluate?(ctx: EvaluateContext): ConstTensor[];
  /** `evaluate` reads only input shapes (Shape): the node folds whenever a plan fixes its input's shape. */
  foldsFromShapes?: boolean;
  /** Output 0 is input 0 with another shape, no data moved (Reshape, Flatten, Squeeze...). */
  view?: boolean;
  /** Output 0 is input 0 with another shape for these input shapes (a Transpose that moves only size-1 dims). */
  viewWhen?(ctx: OpContext): boolean;
  /**
   * The oldest opset whose meaning of the op this definition implements (default 1). A file of an older opset
   * using the op is refused naming the node: before opset 7 Add/Gemm broadcast only with a `broadcast`
   * attribute, Cast's `to` was a string before 6, Concat's axis optional before 4.
   */
  oldestOpset?: number;
  /** Inputs that must be constants (weights, shapes); checked before any GPU work. */
  constantInputs?: number[];
  /** Activation kinds this op can apply to its output (enables fusion). */
  fusesActivation?: boolean;
  /**
   * Index at which the op takes a residual input (PlannedNode.residualInput) when the planner fuses an Add of
   * its output and a same-shape value into it (ResNet's skip connections); absent when the op cannot.
   */
  residualInputIndex?: number;
  /**
   * The GPU work. Absent for ops that only run on the CPU (Shape, Gather, Cast...): a plan refuses such a
   * node, naming it, when its inputs are not known before the run.
   */
  createDispatches?(ctx: KernelContext): Dispatch[];
}

/**
 * The registry key of a node's op: the op type in ONNX's default domain, `domain:OpType` in any other, so a custom
 * domain's op (the engine's own NormalizeImage, a user's com.example:MyOp) is never taken for an ONNX op of the
 * same name, nor the reverse.
 */
export function kernelKey(node: { domain: string; opType: string }): string {
  return node.domain ? `${node.domain}:${node.opType}` : node.opType;
}

/** The op definition registered for `node`'s op, if any. */
export function definitionOf(kernels: Readonly<Record<string, OpDefinition>>, node: { domain: string; opType: string }): OpDefinition | undefined {
  const key = kernelKey(node);
  return Object.hasOwn(kernels, key) ? kernels[key] : undefined;
}

/** The op definition for a node already checked by unsupportedNodes (a missing one here is an engine bug). */
export function definitionFor(kernels: Readonly<Record<string, OpDefinition>>, node: { domain: string; opType: string }): OpDefinition {
  const def = definitionOf(kernels, node);
  if (!def) throw new Error(`no kernel registered for ${kernelKey(node)}`);
  return def;
}
