/**
 * @module Shape, Gather, Cast, Range, ConstantOfShape: the ops of exporters' shape subgraphs (PyTorch's flatten is
 * Shape -> Gather -> Unsqueeze -> Concat -> Reshape). Each evaluates on the CPU, so the engine folds it at
 * prepare time when its inputs are constants, or when a plan fixes the input shapes; a plan refuses one whose
 * inputs are only known at run time, naming the node. Gather alone also runs on the GPU (float data, indices
 * known before the run: shaders/movement/gather.wgsl).
 */
import gatherWgsl from '../../shaders/movement/gather.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { axisIn, knownInput, labelFor, WORKGROUP_SIZE } from './common.ts';
import { attr, constTensor, valuesOf, type ConstTensor, type DataType } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';

/** Input i's value; the engine calls `evaluate` (and value-dependent `inferShapes`) only when it is known. */
function known(ctx: OpContext, i: number): ConstTensor {
  return knownInput(ctx, i)!;
}

/** Opset 15's start/end: a slice of the dims with Python-style negative and clamped bounds. */
function shapeRange(ctx: OpContext): [number, number] {
  const rank = ctx.inputShapes[0]!.length;
  const clampEnd = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  return [clampEnd(attr(ctx.node, 'start', 0)), clampEnd(attr(ctx.node, 'end', rank))];
}

export const shape: OpDefinition = {
  foldsFromShapes: true,
  outputTypes: () => ['int64'],
  inferShapes(ctx) {
    const [start, end] = shapeRange(ctx);
    return [[Math.max(0, end - start)]];
  },
  evaluate(ctx) {
    const [start, end] = shapeRange(ctx);
    return [constTensor('int64', ctx.outputShapes[0], ctx.inputShapes[0]!.slice(start, end))];
  },
};

function gatherAxis(ctx: OpContext): number {
  return axisIn(ctx, attr(ctx.node, 'axis', 0), ctx.inputShapes[0]!.length);
}

/** Gather's indices made non-negative, each checked against the gathered dim. */
function gatherIndices(ctx: OpContext, n: number): number[] {
  return Array.from(valuesOf(known(ctx, 1)), (raw) => {
    const index = raw < 0 ? raw + n : raw;
    if (index < 0 || index >= n) throw new InvalidShapeError(`Gather (node "${ctx.node.name}"): index ${raw} is out of range for a dim of ${n}`);
    return index;
  });
}

const GATHER = defineKernel({
  wgsl: gatherWgsl,
  family: 'movement',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', n: 'u32', count: 'u32', inner: 'u32' }),
  bindings: { x: 'f32', indices: 'u32', y: 'f32' },
});

export const gather: OpDefinition = {
  constantInputs: [1],
  inferShapes(ctx) {
    const data = ctx.inputShapes[0]!;
    const axis = gatherAxis(ctx);
    return [[...data.slice(0, axis), ...ctx.inputShapes[1]!, ...data.slice(axis + 1)]];
  },
  evaluate(ctx) {
    const data = known(ctx, 0);
    const axis = gatherAxis(ctx);
    const n = data.dims[axis];
    const indices = gatherIndices(ctx, n);
    const outer = sizeOf(data.dims.slice(0, axis));
    const inner = sizeOf(data.dims.slice(axis + 1));
    const values = valuesOf(data);
    const out: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const index of indices) for (let i = 0; i < inner; i++) out.push(values[(o * n + index) * inner + i]);
    }
    return [constTensor(data.dataType, ctx.outputShapes[0], out)];
  },
  createDispatches(ctx) {
    const data = ctx.inputShapes[0]!;
    const axis = gatherAxis(ctx);
    const n = data[axis];
    const indices = gatherIndices(ctx, n);
    const size = sizeOf(ctx.outputShapes[0]);
    return [GATHER.dispatch({
      label: labelFor('gather', ctx.node),
      bindings: { x: { input: 0 }, indices: { data: Uint32Array.from(indices) }, y: { output: 0 } },
      params: { size, n, count: indices.length, inner: sizeOf(data.slice(axis + 1)) },
      invocations: size,
    })];
  },
};

/** ONNX TensorProto.DataType codes that Cast's `to` may name, for the types a value here can have. */
const CAST_TARGETS: Readonly<Record<number, DataType>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool' };

function castTarget(ctx: { node: OpContext['node'] }): DataType {
  const to = attr(ctx.node, 'to', 0);
  const type = CAST_TARGETS[to];
  if (!type) throw new UnsupportedVariantError('Cast', ctx.node.name, `Cast to ONNX type ${to}; float32, int64, int32, int8, uint8 and bool are supported`);
  return type;
}

/** Integer conversions wrap like C casts: onnxruntime truncates toward zero, then keeps the low bits. */
function castValue(v: number, to: DataType): number {
  switch (to) {
    case 'float32': return Math.fround(v);
    case 'bool': return v !== 0 ? 1 : 0;
    case 'int32': return Math.trunc(v) | 0;
    case 'int8': return (Math.trunc(v) << 24) >> 24;
    case 'uint8': return Math.trunc(v) & 0xff;
    default: return Math.trunc(v);
  }
}

export const cast: OpDefinition = {
  oldestOpset: 6, // opsets 1-5 name the target type by a string
  outputTypes: (node) => [castTarget({ node })],
  inferShapes: (ctx) => [[...ctx.inputShapes[0]!]],
  evaluate(ctx) {
    const to = castTarget(ctx);
    return [constTensor(to, ctx.outputShapes[0], Array.from(valuesOf(known(ctx, 0)), (v) => castValue(v, to)))];
  },
};

function rangeCount(ctx: OpContext): number {
  const [start, limit, delta] = [0, 1, 2].map((i) => valuesOf(known(ctx, i))[0]);
  if (delta === 0) throw new InvalidShapeError(`Range (node "${ctx.node.name}"): delta is 0`);
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

export const range: OpDefinition = {
  inferShapes: (ctx) => [[rangeCount(ctx)]],
  evaluate(ctx) {
    const start = valuesOf(known(ctx, 0))[0];
    const delta = valuesOf(known(ctx, 2))[0];
    const type = known(ctx, 0).dataType;
    return [constTensor(type, ctx.outputShapes[0], Array.from({ length: rangeCount(ctx) }, (_, i) => start + i * delta))];
  },
};

/** ConstantOfShape's `value` attribute: a one-element tensor, float32 0 when absent. */
function fillValue(ctx: { node: OpContext['node'] }): ConstTensor {
  const v = ctx.node.attributes.get('value');
  if (v === undefined) return constTensor('float32', [1], [0]);
  if (typeof v !== 'object' || Array.isArray(v) || valuesOf(v).length !== 1) throw new InvalidShapeError(`ConstantOfShape (node "${ctx.node.name}"): value must be a one-element tensor`);
  return v;
}

export const constantOfShape: OpDefinition = {
  outputTypes: (node) => [fillValue({ node }).dataType],
  inferShapes(ctx) {
    const dims = Array.from(valuesOf(known(ctx, 0)));
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new InvalidShapeError(`ConstantOfShape (node "${ctx.node.name}"): shape [${dims}] has a negative dim`);
    return [dims];
  },
  evaluate(ctx) {
    const fill = fillValue(ctx);
    return [constTensor(fill.dataType, ctx.outputShapes[0], new Array<number>(sizeOf(ctx.outputShapes[0])).fill(valuesOf(fill)[0]))];
  },
};
