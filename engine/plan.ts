/**
 * @module Execution plan for one set of input shapes: what those shapes let us fold, every value's shape, and
 * where every value lives in GPU memory.
 *
 * Buffer lifetimes (the invariant the executor relies on):
 * - Each graph input has its own buffer, written at the start of every run.
 * - Constants are not placed: the DeviceModel uploads each weight once per device for all plans; a value folded
 *   for this plan's shapes that a kernel binds is uploaded by the plan.
 * - Every other value lives in a *root*: a region of an activation buffer. View ops (Reshape, Flatten...)
 *   alias their input's region; the inputs of an in-place Concat are slices of the Concat's region, so their
 *   producers write straight into it and the Concat itself costs nothing.
 * - A root is live from the first step that writes any part of it to the last step that reads any value
 *   placed in it (graph outputs: to the end of the run). Roots whose lives do not overlap share a buffer,
 *   chosen best-fit by size, so peak activation memory is far below the sum of all activations.
 * Runs of one session are serialized by the session, so one set of activation buffers is enough.
 */
import type { ConstTensor, DataType } from './graph.ts';
import { attr, elementBytes } from './graph.ts';
import { definitionFor, type OpDefinition, type PlannedNode } from './kernel.ts';
import { consumerCounts } from './optimize.ts';
import type { PreparedModel } from './prepare.ts';
import { inferShapesOf, tryFold } from './fold.ts';
import { InvalidInputError, InvalidShapeError, ModelLoadError, UnsupportedVariantError } from './errors.ts';
import { sizeOf } from './shape/broadcast.ts';
import { fuseResidualAdds } from './residual.ts';

export interface PlanStep {
  node: PlannedNode;
  def: OpDefinition;
  inputShapes: (number[] | undefined)[];
  outputShapes: number[][];
  constants: (ConstTensor | undefined)[];
  /** Output 0 aliases input 0: a view op, or an op that is one for these shapes (`viewWhen`). */
  view: boolean;
  /** True when the step moves no data: a view, or a Concat whose inputs were written in place. */
  elided: boolean;
}

/** Where a value's bytes are. `storage` indexes `Plan.storages`. */
export interface Placement {
  storage: number;
  byteOffset: number;
  byteSize: number;
  shape: number[];
}

export type StorageKind = 'input' | 'activation';

export interface StorageInfo {
  kind: StorageKind;
  byteSize: number;
  /** Graph input name. */
  name?: string;
}

export interface PlanInput {
  name: string;
  shape: number[];
  dataType: DataType;
}

export interface PlanOutput {
  name: string;
  value: string;
  shape: number[];
  /** Known when the plan is made (a folded value): returned from the CPU, never read back. */
  constant?: ConstTensor;
}

export interface Plan {
  steps: PlanStep[];
  placements: Map<string, Placement>;
  storages: StorageInfo[];
  inputs: PlanInput[];
  outputs: PlanOutput[];
  /** Values folded for this plan's input shapes (Shape of an activation and what follows from it). */
  constants: Map<string, ConstTensor>;
  peakActivationBytes: number;
  /** Sum of all activation sizes, to show what reuse saved. */
  totalActivationBytes: number;
}

export interface PlanOptions {
  /** Replaces symbolic or unknown input dims (default: 1 for each). */
  inputShapes?: Record<string, number[]>;
  /** The values of the model's host inputs (PreparedModel.hostInputs): constants of this plan. */
  inputValues?: ReadonlyMap<string, ConstTensor>;
  /** Byte alignment of storage binding offsets (device limit minStorageBufferOffsetAlignment). */
  offsetAlignment: number;
}

/** An input's declared dims with every symbolic or unknown dim set to 1. */
export function defaultInputShape(dims: readonly (number | string)[]): number[] {
  return dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
}

function resolveInputShape(name: string, dims: readonly (number | string)[], override?: number[]): number[] {
  if (override) {
    if (override.length !== dims.length && dims.length > 0) throw new InvalidShapeError(`Input "${name}": shape [${override}] has rank ${override.length}, the model declares [${dims}]`);
    if (override.some((d) => !Number.isInteger(d) || d <= 0)) throw new InvalidShapeError(`Input "${name}": shape [${override}] has a dim that is not a positive integer`);
    return [...override];
  }
  return defaultInputShape(dims);
}

/** Why a CPU-only op cannot run in this plan: the first input that is only known at run time. */
function cpuOnlyRefusal(node: PlannedNode, isKnown: (v: string) => boolean): UnsupportedVariantError {
  const k = node.inputs.findIndex((v) => v && !isKnown(v));
  return new UnsupportedVariantError(node.opType, node.name, `runs on the CPU only, so its inputs must be known before the run, but input ${k} ("${node.inputs[k]}") is computed on the GPU at run time`);
}

/**
 * Plans one input shape: shape inference and folding of what those shapes fix, then memory placement.
 * Pure CPU; every shape or support problem throws here, before any GPU object exists.
 */
export function buildPlan(model: PreparedModel, options: PlanOptions): Plan {
  const shapes = new Map<string, number[]>();
  const planConstants = new Map<string, ConstTensor>();
  const constantOf = (v: string) => model.constants.get(v) ?? planConstants.get(v);
  for (const name of model.hostInputs) {
    const value = options.inputValues?.get(name);
    if (!value) throw new InvalidInputError(`Input "${name}" is read on the CPU to plan the run: its value is needed`);
    planConstants.set(name, value);
  }
  const inputs = model.inputs.filter((v) => !model.hostInputs.has(v.name)).map((v): PlanInput => {
    const shape = resolveInputShape(v.name, v.dims, options.inputShapes?.[v.name]);
    shapes.set(v.name, shape);
    return { name: v.name, shape, dataType: v.dataType };
  });
  for (const [name, t] of [...model.constants, ...planConstants]) shapes.set(name, t.dims);
  const known = { constant: constantOf, shape: (v: string) => shapes.get(v) };

  const steps: PlanStep[] = [];
  for (const node of model.nodes) {
    const def = definitionFor(model.kernels, node);
    const folded = tryFold(def, node, model.opset, known);
    if (folded) {
      node.outputs.forEach((o, k) => {
        if (!o) return;
        planConstants.set(o, folded[k]);
        shapes.set(o, folded[k].dims);
      });
      continue;
    }
    if (!def.createDispatches && !def.view) throw cpuOnlyRefusal(node, (v) => constantOf(v) !== undefined);
    const inputShapes = node.inputs.map((x) => (x ? shapes.get(x) : undefined));
    const constants = node.inputs.map((x) => (x ? constantOf(x) : undefined));
    for (const ci of def.constantInputs ?? []) {
      if (node.inputs[ci] && !constants[ci]) throw new UnsupportedVariantError(node.opType, node.name, `input ${ci} ("${node.inputs[ci]}") must be known before the run (a constant, or computed from constants and input shapes)`);
    }
    // Every op we have a kernel for reads input 0; a node without it (a damaged or hand-edited file) is a model
    // error, not a TypeError from inside the op's shape code.
    if (!node.inputs[0]) throw new ModelLoadError(`Node "${node.name}" (${node.opType}) has no input 0; the model file is damaged or not a valid ${node.opType}`);
    const outputShapes = inferShapesOf(def, { node, opset: model.opset, inputShapes, constants });
    outputShapes.forEach((s, k) => {
      if (s.some((d) => !Number.isInteger(d) || d <= 0)) throw new InvalidShapeError(`${node.opType} (node "${node.name}") would produce shape [${s}]`);
      if (node.outputs[k]) shapes.set(node.outputs[k], s);
    });
    const view = !!def.view || !!def.viewWhen?.({ node, opset: model.opset, inputShapes, constants });
    steps.push({ node, def, inputShapes, outputShapes, constants, view, elided: view });
  }
  const outputs = model.outputs.map((o): PlanOutput => {
    if (o.dataType !== 'float32') throw new UnsupportedVariantError('graph output', o.name, `element type ${o.dataType}; only float32 outputs are read back`);
    return { name: o.name, value: o.value, shape: shapes.get(o.value)!, constant: constantOf(o.value) };
  });
  // Whole 4-byte words: storage bindings are, and a kernel reads 1-byte values (uint8, bool) four to a u32.
  const bytesOf = (v: string) => Math.ceil((sizeOf(shapes.get(v)!) * elementBytes(model.types.get(v) ?? 'float32')) / 4) * 4;
  const isConstant = (v: string) => constantOf(v) !== undefined;
  const fused = fuseResidualAdds(steps, consumerCounts(steps.map((s) => s.node), outputs.map((o) => o.value)), isConstant);
  return { steps: fused, inputs, outputs, constants: planConstants, ...placeValues(fused, inputs, outputs.filter((o) => !o.constant), isConstant, shapes, bytesOf, options.offsetAlignment) };
}

function placeValues(
  steps: PlanStep[],
  inputs: Plan['inputs'],
  outputs: Plan['outputs'],
  isConstant: (value: string) => boolean,
  shapes: Map<string, number[]>,
  bytesOf: (value: string) => number,
  alignment: number,
): Pick<Plan, 'placements' | 'storages' | 'peakActivationBytes' | 'totalActivationBytes'> {
  const storages: StorageInfo[] = [];
  const placements = new Map<string, Placement>();
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
    if (s.view) aliasOf.set(s.node.outputs[0], s.node.inputs[0]);
    if (s.node.opType === 'Concat' && concatCanBeInPlace(s, consumers, producedBy, parent, bytesOf, alignment)) {
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
    return isConstant(cur) ? undefined : { root: cur, byteOffset: offset };
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
  bytesOf: (value: string) => number,
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
    offset += bytesOf(v);
  }
  return true;
}
