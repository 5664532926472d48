/**
 * @module Execution plan: topological order, shapes, and where every value lives in GPU memory.
 *
 * Buffer lifetimes (the invariant the executor relies on):
 * - Each graph input has its own buffer, written at the start of every run.
 * - Initializers bound as they are get one read-only buffer each, uploaded once.
 * - Every other value lives in a *root*: a region of an activation buffer. View ops (Reshape, Flatten...)
 *   alias their input's region; the inputs of an in-place Concat are slices of the Concat's region, so their
 *   producers write straight into it and the Concat itself costs nothing.
 * - A root is live from the first step that writes any part of it to the last step that reads any value
 *   placed in it (graph outputs: to the end of the run). Roots whose lives do not overlap share a buffer,
 *   chosen best-fit by size, so peak activation memory is far below the sum of all activations.
 * Runs of one session are serialized by the session, so one set of activation buffers is enough.
 */
import type { ConstTensor, Graph } from './graph.ts';
import { attr } from './graph.ts';
import type { OpDefinition, PlannedNode } from './kernel.ts';
import { consumerCounts, type OptimizedGraph } from './optimize.ts';
import { EngineError, InvalidShapeError, ModelLoadError, UnsupportedOpError, UnsupportedVariantError, type UnsupportedNode } from './errors.ts';
import { sizeOf } from './shape/broadcast.ts';

const FLOAT_BYTES = 4;

export interface PlanStep {
  node: PlannedNode;
  def: OpDefinition;
  inputShapes: (number[] | undefined)[];
  outputShapes: number[][];
  constants: (ConstTensor | undefined)[];
  /** True when the step moves no data: a view op, or a Concat whose inputs were written in place. */
  elided: boolean;
}

/** Where a value's bytes are. `storage` indexes `Plan.storages`. */
export interface Placement {
  storage: number;
  byteOffset: number;
  byteSize: number;
  shape: number[];
}

export type StorageKind = 'input' | 'constant' | 'activation';

export interface StorageInfo {
  kind: StorageKind;
  byteSize: number;
  /** Graph input name or initializer name. */
  name?: string;
}

export interface Plan {
  steps: PlanStep[];
  placements: Map<string, Placement>;
  storages: StorageInfo[];
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; value: string; shape: number[] }[];
  peakActivationBytes: number;
  /** Sum of all activation sizes, to show what reuse saved. */
  totalActivationBytes: number;
}

export interface PlanOptions {
  /** Replaces symbolic or unknown input dims (default: 1 for each). */
  inputShapes?: Record<string, number[]>;
  /** Byte alignment of storage binding offsets (device limit minStorageBufferOffsetAlignment). */
  offsetAlignment: number;
}

/** Nodes outside the default domain, or whose op has no kernel in `kernels`. */
export function unsupportedNodes(nodes: readonly PlannedNode[], kernels: Readonly<Record<string, OpDefinition>>): UnsupportedNode[] {
  return nodes.filter((n) => n.domain || !Object.hasOwn(kernels, n.opType)).map((n) => ({ opType: n.opType, domain: n.domain, node: n.name }));
}

/** Throws UnsupportedOpError listing every node whose op has no kernel. */
export function checkSupport(nodes: readonly PlannedNode[], kernels: Readonly<Record<string, OpDefinition>>): void {
  const missing = unsupportedNodes(nodes, kernels);
  if (missing.length) throw new UnsupportedOpError(missing);
}

/** An input's declared dims with every symbolic or unknown dim set to 1. */
export function defaultInputShape(dims: readonly (number | string)[]): number[] {
  return dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
}

function resolveInputShape(name: string, dims: readonly (number | string)[], override?: number[]): number[] {
  if (override) {
    if (override.length !== dims.length && dims.length > 0) throw new InvalidShapeError(`Input "${name}": shape [${override}] has rank ${override.length}, the model declares [${dims}]`);
    return [...override];
  }
  return defaultInputShape(dims);
}

export function buildPlan(graph: Graph, opt: OptimizedGraph, kernels: Readonly<Record<string, OpDefinition>>, options: PlanOptions): Plan {
  checkSupport(opt.nodes, kernels);
  const shapes = new Map<string, number[]>();
  const inputs = graph.inputs.map((v) => {
    if (v.dataType !== 'float32') throw new UnsupportedVariantError('graph input', v.name, `element type ${v.dataType}; only float32 inputs are supported`);
    const shape = resolveInputShape(v.name, v.dims, options.inputShapes?.[v.name]);
    shapes.set(v.name, shape);
    return { name: v.name, shape };
  });
  for (const [name, t] of opt.initializers) shapes.set(name, t.dims);

  // Kahn's algorithm in model order: stable and deterministic.
  const steps: PlanStep[] = [];
  const pending = [...opt.nodes];
  while (pending.length) {
    const i = pending.findIndex((n) => n.inputs.every((x) => !x || shapes.has(x)));
    if (i < 0) {
      const n = pending[0];
      const lacking = n.inputs.filter((x) => x && !shapes.has(x));
      throw new ModelLoadError(`Node "${n.name}" (${n.opType}) reads ${lacking.map((x) => `"${x}"`).join(', ')}, which no node, input or initializer provides (or the graph has a cycle)`);
    }
    const node = pending.splice(i, 1)[0];
    const def = kernels[node.opType];
    const inputShapes = node.inputs.map((x) => (x ? shapes.get(x) : undefined));
    const constants = node.inputs.map((x) => (x ? opt.initializers.get(x) : undefined));
    for (const ci of def.constantInputs ?? []) {
      if (node.inputs[ci] && !constants[ci]) throw new UnsupportedVariantError(node.opType, node.name, `input ${ci} ("${node.inputs[ci]}") must be a constant initializer`);
    }
    // Every op we have a kernel for reads input 0; a node without it (a damaged or hand-edited file) is a model
    // error, not a TypeError from inside the op's shape code.
    if (!node.inputs[0]) throw new ModelLoadError(`Node "${node.name}" (${node.opType}) has no input 0; the model file is damaged or not a valid ${node.opType}`);
    const outputShapes = inferShapesOf(def, node, graph.opset, inputShapes, constants);
    outputShapes.forEach((s, k) => {
      if (s.some((d) => !Number.isInteger(d) || d <= 0)) throw new InvalidShapeError(`${node.opType} (node "${node.name}") would produce shape [${s}]`);
      if (node.outputs[k]) shapes.set(node.outputs[k], s);
    });
    steps.push({ node, def, inputShapes, outputShapes, constants, elided: !!def.view });
  }
  const outputs = graph.outputs.map((o) => {
    const value = opt.outputValues.get(o.name) ?? o.name;
    const shape = shapes.get(value);
    if (!shape) throw new ModelLoadError(`Graph output "${o.name}" is produced by no node`);
    return { name: o.name, value, shape };
  });
  return { steps, inputs, outputs, ...placeValues(steps, inputs, outputs, opt.initializers, shapes, options.offsetAlignment) };
}

/**
 * Runs an op's shape inference. It reads only the node (attributes, input arity) and shapes from the model file,
 * so anything it throws that is not an EngineError (a wrongly typed attribute from graph.ts `attr`, a missing
 * second input read as a shape) means the file's node does not fit the op: reported as ModelLoadError naming
 * the node, so callers map it to "model invalid" instead of an internal error.
 */
function inferShapesOf(def: OpDefinition, node: PlannedNode, opset: number, inputShapes: (number[] | undefined)[], constants: (ConstTensor | undefined)[]): number[][] {
  try {
    return def.inferShapes({ node, opset, inputShapes, constants });
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new ModelLoadError(`Node "${node.name}" (${node.opType}) does not fit the op's definition (${(e as Error)?.message ?? String(e)}); the model file is damaged or uses ${node.opType} in a way ONNX does not define`);
  }
}

function placeValues(
  steps: PlanStep[],
  inputs: Plan['inputs'],
  outputs: Plan['outputs'],
  initializers: Map<string, ConstTensor>,
  shapes: Map<string, number[]>,
  alignment: number,
): Pick<Plan, 'placements' | 'storages' | 'peakActivationBytes' | 'totalActivationBytes'> {
  const storages: StorageInfo[] = [];
  const placements = new Map<string, Placement>();
  const bytesOf = (v: string) => sizeOf(shapes.get(v)!) * FLOAT_BYTES;
  for (const inp of inputs) {
    placements.set(inp.name, { storage: storages.length, byteOffset: 0, byteSize: bytesOf(inp.name), shape: inp.shape });
    storages.push({ kind: 'input', byteSize: bytesOf(inp.name), name: inp.name });
  }

  const consumers = consumerCounts(steps.map((s) => s.node), outputs.map((o) => o.value));
  const producedBy = new Map<string, PlanStep>();
  for (const s of steps) for (const o of s.node.outputs) if (o) producedBy.set(o, s);

  // Slices: value -> (containing value, byte offset). Decided per Concat; roots are values with no parent.
  const parent = new Map<string, { value: string; byteOffset: number }>();
  const aliasOf = new Map<string, string>();
  for (const s of steps) {
    if (s.def.view) aliasOf.set(s.node.outputs[0], s.node.inputs[0]);
    if (s.node.opType === 'Concat' && concatCanBeInPlace(s, consumers, producedBy, parent, alignment)) {
      s.elided = true;
      let offset = 0;
      for (const i of s.node.inputs) {
        parent.set(i, { value: s.node.outputs[0], byteOffset: offset });
        offset += bytesOf(i);
      }
    }
  }

  // Root activation regions with their live ranges, in step order.
  interface Root { value: string; first: number; last: number; bytes: number; storage: number }
  const roots = new Map<string, Root>();
  const locate = (v: string): { root: string; byteOffset: number } | undefined => {
    let cur = v;
    let offset = 0;
    for (;;) {
      if (aliasOf.has(cur)) cur = aliasOf.get(cur)!;
      else if (parent.has(cur)) {
        offset += parent.get(cur)!.byteOffset;
        cur = parent.get(cur)!.value;
      } else break;
    }
    return initializers.has(cur) && !producedBy.has(cur) ? undefined : { root: cur, byteOffset: offset };
  };
  const isGraphInput = (v: string) => inputs.some((i) => i.name === v);
  const touch = (v: string, step: number) => {
    const loc = locate(v);
    if (!loc || isGraphInput(loc.root)) return;
    const r = roots.get(loc.root) ?? { value: loc.root, first: step, last: step, bytes: bytesOf(loc.root), storage: -1 };
    r.first = Math.min(r.first, step);
    r.last = Math.max(r.last, step);
    roots.set(loc.root, r);
  };
  steps.forEach((s, k) => {
    if (s.elided) return; // views and in-place concats neither read nor write
    s.node.inputs.forEach((i) => i && touch(i, k));
    s.node.outputs.forEach((o) => o && touch(o, k));
  });
  for (const o of outputs) touch(o.value, steps.length);

  // Best-fit reuse of activation buffers by live range.
  const pool: { storage: number; freeAfter: number }[] = [];
  const ordered = [...roots.values()].sort((a, b) => a.first - b.first || b.bytes - a.bytes);
  for (const r of ordered) {
    const free = pool.filter((p) => p.freeAfter < r.first);
    let pick = free.filter((p) => storages[p.storage].byteSize >= r.bytes).sort((a, b) => storages[a.storage].byteSize - storages[b.storage].byteSize)[0];
    if (!pick && free.length) {
      pick = free.sort((a, b) => storages[b.storage].byteSize - storages[a.storage].byteSize)[0];
      storages[pick.storage].byteSize = r.bytes; // grow the largest free buffer rather than add one
    }
    if (!pick) {
      pick = { storage: storages.length, freeAfter: -1 };
      storages.push({ kind: 'activation', byteSize: r.bytes });
      pool.push(pick);
    }
    pick.freeAfter = r.last;
    r.storage = pick.storage;
  }

  const place = (v: string) => {
    if (placements.has(v)) return;
    const loc = locate(v);
    if (!loc) return;
    if (isGraphInput(loc.root)) {
      const base = placements.get(loc.root)!;
      placements.set(v, { ...base, byteOffset: loc.byteOffset, byteSize: bytesOf(v), shape: shapes.get(v)! });
      return;
    }
    placements.set(v, { storage: roots.get(loc.root)!.storage, byteOffset: loc.byteOffset, byteSize: bytesOf(v), shape: shapes.get(v)! });
  };
  for (const s of steps) [...s.node.inputs, ...s.node.outputs].forEach((v) => v && place(v));
  for (const o of outputs) place(o.value);

  const activation = storages.filter((s) => s.kind === 'activation');
  return {
    placements,
    storages,
    peakActivationBytes: activation.reduce((a, s) => a + s.byteSize, 0),
    totalActivationBytes: [...roots.values()].reduce((a, r) => a + r.bytes, 0),
  };
}

/**
 * A Concat is written in place when each input slice is contiguous (nothing but size-1 dims before the axis),
 * every input is produced by a real kernel for this Concat alone, and each slice offset can be a binding offset.
 */
function concatCanBeInPlace(
  s: PlanStep,
  consumers: Map<string, number>,
  producedBy: Map<string, PlanStep>,
  parent: Map<string, unknown>,
  alignment: number,
): boolean {
  const out = s.outputShapes[0];
  const rank = out.length;
  let axis = attr(s.node, 'axis', 1);
  if (axis < 0) axis += rank;
  if (out.slice(0, axis).some((d) => d !== 1)) return false;
  if (new Set(s.node.inputs).size !== s.node.inputs.length) return false;
  let offset = 0;
  for (let k = 0; k < s.node.inputs.length; k++) {
    const v = s.node.inputs[k];
    const p = producedBy.get(v);
    if (!p || p.elided || consumers.get(v) !== 1 || parent.has(v)) return false;
    if (offset % alignment !== 0) return false;
    offset += sizeOf(s.inputShapes[k]!) * FLOAT_BYTES;
  }
  return true;
}
