/**
 * @module Pad (constant/edge/reflect, wrap from opset 19) and Tile (shaders/movement/pad.wgsl): each output
 * coordinate reads input coordinate c - begin, mapped back inside by the mode. Pad's pads and constant value are
 * attributes before opset 11 and inputs from 11 (`axes` from 18); Tile is wrap with nothing before.
 */
import padWgsl from '../../shaders/movement/pad.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams, MAX_RANK } from '../wgsl/params.ts';
import { attr, constTensor, valuesOf, type ConstTensor } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { OpContext, OpDefinition } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { knownInput, labelFor, WORKGROUP_SIZE } from './common.ts';

const PAD = defineKernel({
  wgsl: padWgsl,
  family: 'movement',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', rank: 'u32', mode: 'u32', value: 'f32', out_dims: 'dims', in_dims: 'dims', begin: 'dims' }),
  bindings: { x: 'f32', value: 'f32', y: 'f32' },
});

const MODES = ['constant', 'edge', 'reflect', 'wrap'] as const;

interface PadSpec {
  mode: number;
  value: number;
  /** Pad's constant value is computed at run time (opset 11+ input 2): the kernel reads it from its binding. */
  valueAtRunTime?: boolean;
  /** Elements added before each dim (negative: removed). */
  begin: number[];
  outDims: number[];
}

/** Input i's values, which must be known before the run; undefined when the input is omitted. */
function knownValues(ctx: OpContext, i: number): ArrayLike<number> | undefined {
  const t = knownInput(ctx, i);
  return t && valuesOf(t);
}

function padSpec(ctx: OpContext): PadSpec {
  const { node } = ctx;
  const x = ctx.inputShapes[0]!;
  const rank = x.length;
  const modeName = attr(node, 'mode', 'constant');
  const mode = MODES.indexOf(modeName as (typeof MODES)[number]);
  if (mode < 0 || (mode === 3 && ctx.opset < 19)) throw new UnsupportedVariantError('Pad', node.name, `mode "${modeName}"; constant, edge, reflect (and wrap from opset 19) are supported`);
  let pads: number[];
  let value = 0;
  let valueAtRunTime = false;
  let axes = Array.from({ length: rank }, (_, i) => i);
  if (ctx.opset < 11) {
    pads = attr(node, ctx.opset < 2 ? 'paddings' : 'pads', [] as number[]);
    value = attr(node, 'value', 0);
  } else {
    pads = Array.from(knownValues(ctx, 1) ?? []);
    if (node.inputs[2] && !ctx.constants[2]) valueAtRunTime = true;
    else value = knownValues(ctx, 2)?.[0] ?? 0;
    const given = ctx.opset >= 18 ? knownValues(ctx, 3) : undefined;
    if (given) axes = Array.from(given, (a) => (a < 0 ? a + rank : a));
  }
  if (axes.some((a) => a < 0 || a >= rank)) throw new InvalidShapeError(`Pad (node "${node.name}"): axes [${axes}] out of range for rank ${rank}`);
  if (pads.length !== 2 * axes.length) throw new InvalidShapeError(`Pad (node "${node.name}"): ${pads.length} pads for ${axes.length} axes; expected ${2 * axes.length}`);
  const begin = new Array<number>(rank).fill(0);
  const outDims = [...x];
  axes.forEach((a, k) => {
    begin[a] = pads[k];
    outDims[a] = x[a] + pads[k] + pads[k + axes.length];
    if (mode !== 0 && x[a] === 0 && outDims[a] > 0) throw new InvalidShapeError(`Pad (node "${node.name}"): ${modeName} padding of an empty dim`);
  });
  return { mode, value, valueAtRunTime, begin, outDims };
}

function tileSpec(ctx: OpContext): PadSpec {
  const x = ctx.inputShapes[0]!;
  if (ctx.opset < 6) throw new UnsupportedVariantError('Tile', ctx.node.name, `opset ${ctx.opset} (tiles and axis inputs); opset 6 and later are supported`);
  const repeats = Array.from(knownValues(ctx, 1) ?? []);
  if (repeats.length !== x.length || repeats.some((r) => r < 0)) throw new InvalidShapeError(`Tile (node "${ctx.node.name}"): repeats [${repeats}] do not fit rank ${x.length}`);
  return { mode: 3, value: 0, begin: new Array<number>(x.length).fill(0), outDims: x.map((d, i) => d * repeats[i]) };
}

/** The kernel's mapping on the CPU, for constant folding. */
function evaluatePad(x: ConstTensor, spec: PadSpec): ConstTensor {
  const values = valuesOf(x);
  const out = new Array<number>(sizeOf(spec.outDims));
  const c = new Array<number>(spec.outDims.length).fill(0);
  const inside = (j: number, n: number): number => {
    if (spec.mode === 1) return Math.min(n - 1, Math.max(0, j));
    if (spec.mode === 2) {
      if (n === 1) return 0;
      const p = 2 * (n - 1);
      const r = ((j % p) + p) % p;
      return r >= n ? p - r : r;
    }
    return ((j % n) + n) % n;
  };
  for (let i = 0; i < out.length; i++) {
    let at = 0;
    let v: number | undefined;
    for (let d = 0; d < c.length && v === undefined; d++) {
      const n = x.dims[d];
      let j = c[d] - spec.begin[d];
      if (j < 0 || j >= n) {
        if (spec.mode === 0) v = spec.value;
        else j = inside(j, n);
      }
      at = at * n + j;
    }
    out[i] = v ?? values[at];
    for (let d = c.length - 1; d >= 0 && ++c[d] === spec.outDims[d]; d--) c[d] = 0;
  }
  return constTensor(x.dataType, spec.outDims, out);
}

function padLike(kernel: string, specOf: (ctx: OpContext) => PadSpec, constantInputs: number[]): OpDefinition {
  return {
    constantInputs,
    inferShapes: (ctx) => [specOf(ctx).outDims],
    evaluate: (ctx) => [evaluatePad(ctx.constants[0]!, specOf(ctx))],
    createDispatches(ctx) {
      const spec = specOf(ctx);
      const rank = spec.outDims.length;
      if (rank > MAX_RANK) throw new UnsupportedVariantError(ctx.node.opType, ctx.node.name, `rank ${rank}; at most ${MAX_RANK} is supported`);
      const size = sizeOf(spec.outDims);
      return [PAD.dispatch({
        label: labelFor(kernel, ctx.node),
        // Without a run-time value the binding is x again, unread.
        bindings: { x: { input: 0 }, value: { input: spec.valueAtRunTime ? 2 : 0 }, y: { output: 0 } },
        params: { size, rank, mode: spec.mode, value: spec.value, out_dims: spec.outDims, in_dims: ctx.inputShapes[0]!, begin: spec.begin },
        constants: { VALUE_AT_RUN_TIME: spec.valueAtRunTime ? 1 : 0 },
        invocations: size,
      })];
    },
  };
}

export const pad = padLike('pad', padSpec, [1, 3]);
export const tile = padLike('tile', tileSpec, [1]);
