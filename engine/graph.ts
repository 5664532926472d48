/** @module The engine's graph IR: an ONNX graph reduced to what planning and execution need. */

export type AttributeValue = number | number[] | string | string[] | ConstTensor;

/** A constant tensor (initializer or Constant node). Floats stay Float32Array; integer data becomes numbers. */
export interface ConstTensor {
  dims: number[];
  /** ONNX element type name, e.g. `float32`, `int64`. */
  dataType: DataType;
  /** Values as float32 (float tensors) */
  floats?: Float32Array;
  /** Values as JS numbers (integer and bool tensors; int64 beyond 2^53 is rejected at parse time). */
  ints?: number[];
}

export type DataType = 'float32' | 'float16' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string' | 'other';

/**
 * Element types a graph input may have: float32, uint8 (e.g. an RGB crop normalised by the model on the GPU), and
 * the integer and bool types of shapes, axes and indices fed at run time (HOST_INPUT_TYPES).
 */
export const INPUT_TYPES: readonly DataType[] = ['float32', 'uint8', 'int64', 'int32', 'bool'];

/** Input types whose values are read on the CPU when a plan is made (WGSL has no 64-bit integers). */
export const HOST_INPUT_TYPES: readonly DataType[] = ['int64', 'int32', 'bool'];

/** Bytes per element in a GPU buffer (8-byte types never reach one: WGSL has no 64-bit integers). */
export function elementBytes(type: DataType): number {
  switch (type) {
    case 'uint8': case 'int8': case 'bool': return 1;
    case 'int16': case 'uint16': case 'float16': return 2;
    case 'int64': case 'uint64': case 'float64': return 8;
    default: return 4;
  }
}

/** A constant's values as numbers, whichever field holds them. */
export function valuesOf(t: ConstTensor): ArrayLike<number> {
  return t.floats ?? t.ints ?? [];
}

/** Builds a constant of `dataType`: float types keep a Float32Array, integer and bool types numbers. */
export function constTensor(dataType: DataType, dims: readonly number[], values: ArrayLike<number>): ConstTensor {
  // `+ 0` turns -0 (Math.trunc(-0.5), 0 * -4) into the 0 an integer tensor holds.
  return isFloat(dataType) ? { dims: [...dims], dataType, floats: Float32Array.from(values) } : { dims: [...dims], dataType, ints: Array.from(values, (v) => v + 0) };
}

export function isFloat(type: DataType): boolean {
  return type === 'float32' || type === 'float16' || type === 'float64';
}

export interface GraphNode {
  name: string;
  opType: string;
  /** '' for the default ONNX domain (parse.ts stores 'ai.onnx' as ''). */
  domain: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttributeValue>;
}

export interface ValueInfo {
  name: string;
  dataType: DataType;
  /** Static dims; a symbolic dim (e.g. 'N') is kept as its name. */
  dims: (number | string)[];
}

export interface Graph {
  nodes: GraphNode[];
  /** Graph inputs that are not initializers, in declaration order. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, ConstTensor>;
  /** Default-domain opset version. */
  opset: number;
  metadata: Map<string, string>;
  producer: string;
}

/** Reads a typed attribute with a default; throws when present with the wrong kind. */
export function attr(node: GraphNode, name: string, fallback: number): number;
export function attr(node: GraphNode, name: string, fallback: string): string;
export function attr(node: GraphNode, name: string, fallback: number[]): number[];
export function attr(node: GraphNode, name: string, fallback: string[]): string[];
export function attr<T extends AttributeValue>(node: GraphNode, name: string, fallback: T): T {
  const v = node.attributes.get(name);
  if (v === undefined) return fallback;
  if (Array.isArray(fallback) !== Array.isArray(v) || (!Array.isArray(v) && typeof v !== typeof fallback)) {
    throw new TypeError(`${node.opType} (node "${node.name}"): attribute ${name} has the wrong type`);
  }
  return v as T;
}
