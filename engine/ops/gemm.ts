/** @module Gemm and MatMul on one register-tiled kernel (shaders/matrix/gemm.wgsl). */
import gemmWgsl from '../../shaders/matrix/gemm.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams, MAX_RANK } from '../wgsl/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { Dispatch, KernelContext, OpContext, OpDefinition, PlannedNode, StorageSource } from '../kernel.ts';
import { broadcastShapes, broadcastStrides, sizeOf } from '../shape/broadcast.ts';
import { collapseBroadcast } from './binary.ts';
import { activationConstants, labelFor, WORKGROUP_SIZE } from './common.ts';

/** Columns per invocation: one vec4 of B and of the accumulators. */
const TILE_COLS = 4;
/** Rows per invocation at most; TILE_ROWS is min(MAX_TILE_ROWS, M). */
const MAX_TILE_ROWS = 4;

const GEMM = defineKernel({
  wgsl: gemmWgsl,
  family: 'matrix',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({
    m: 'u32', n: 'u32', k: 'u32', batch: 'u32',
    a_stride_m: 'u32', a_stride_k: 'u32', b_stride_k: 'u32', b_stride_n: 'u32',
    c_stride_m: 'u32', c_stride_n: 'u32', alpha: 'f32', beta: 'f32', n_offset: 'u32', y_cols: 'u32',
    batch_rank: 'u32', batch_dims: 'dims', a_batch_strides: 'dims', b_batch_strides: 'dims',
  }),
  bindings: { a: 'f32', b: 'f32', c: 'f32', y: 'f32' },
  consts: { TILE_COLS, MAX_TILE_ROWS },
});

/** Everything the kernel needs besides bindings; strides are in elements. */
interface GemmProblem {
  m: number;
  n: number;
  k: number;
  aStride: [m: number, k: number];
  bStride: [k: number, n: number];
  batchDims: number[];
  aBatchStrides: number[];
  bBatchStrides: number[];
  alpha: number;
  beta: number;
  cStride?: [m: number, n: number];
  /** This dispatch computes output columns nOffset..nOffset+n of yCols (a column block of a split B). */
  nOffset?: number;
  yCols?: number;
}

/** Operand buffers in the kernel's binding order. */
interface GemmOperands {
  a: StorageSource;
  b: StorageSource;
  c: StorageSource;
}

function gemmDispatch(node: PlannedNode, p: GemmProblem, operands: GemmOperands): Dispatch {
  const batch = sizeOf(p.batchDims);
  const tileRows = Math.min(MAX_TILE_ROWS, p.m);
  return GEMM.dispatch({
    label: labelFor(node.opType.toLowerCase(), node),
    bindings: { ...operands, y: { output: 0 } },
    params: {
      m: p.m, n: p.n, k: p.k, batch,
      a_stride_m: p.aStride[0], a_stride_k: p.aStride[1], b_stride_k: p.bStride[0], b_stride_n: p.bStride[1],
      c_stride_m: p.cStride?.[0] ?? 0, c_stride_n: p.cStride?.[1] ?? 0, alpha: p.alpha, beta: p.beta,
      n_offset: p.nOffset ?? 0, y_cols: p.yCols ?? p.n,
      batch_rank: p.batchDims.length, batch_dims: p.batchDims, a_batch_strides: p.aBatchStrides, b_batch_strides: p.bBatchStrides,
    },
    constants: { TILE_ROWS: tileRows, HAS_C: p.cStride ? 1 : 0, ...activationConstants(node.activation) },
    invocations: batch * Math.ceil(p.m / tileRows) * Math.ceil(p.n / TILE_COLS),
  });
}

/** A 4-byte stand-in for the C binding when there is no C (the kernel never reads it): one per device. */
const noC = (): GemmOperands['c'] => ({ derived: 'unused', from: [], compute: () => new Float32Array(1) });

interface GemmShapes {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

function gemmShapes(ctx: OpContext): GemmShapes {
  const { node } = ctx;
  const a = ctx.inputShapes[0]!;
  const b = ctx.inputShapes[1]!;
  if (a.length !== 2 || b.length !== 2) throw new InvalidShapeError(`Gemm (node "${node.name}"): A [${a}] and B [${b}] must be 2-D`);
  const transA = attr(node, 'transA', 0) !== 0;
  const transB = attr(node, 'transB', 0) !== 0;
  const [m, k] = transA ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = transB ? [b[1], b[0]] : [b[0], b[1]];
  if (k !== kb) throw new InvalidShapeError(`Gemm (node "${node.name}"): A' is ${m}x${k} but B' is ${kb}x${n}`);
  const c = ctx.inputShapes[2];
  // C broadcasts one way only: to [M, N], never the other way round.
  if (c && (c.length > 2 || broadcastShapes([c, [m, n]], `Gemm (node "${node.name}") C`).some((d, i) => d !== [m, n][i]))) {
    throw new InvalidShapeError(`Gemm (node "${node.name}"): C [${c}] does not broadcast to [${m}, ${n}]`);
  }
  return { m, n, k, transA, transB };
}

/**
 * Columns n0..n1 of a constant B' (K x N), laid out [K][n1 - n0] so the kernel reads along contiguous columns:
 * from [N][K] when transB, else from [K][N].
 */
function columnBlock(data: Float32Array, transB: boolean, k: number, n: number, n0: number, n1: number): Float32Array {
  const w = n1 - n0;
  const out = new Float32Array(k * w);
  if (transB) for (let c = 0; c < w; c++) for (let r = 0; r < k; r++) out[r * w + c] = data[(n0 + c) * k + r];
  else for (let r = 0; r < k; r++) out.set(data.subarray(r * n + n0, r * n + n1), r * w);
  return out;
}

/**
 * Column blocks that each fit one binding: a whole constant B when it fits (one block), else blocks of a multiple
 * of TILE_COLS columns (VGG's fc6 weight, 411 MB, is 4 of 1,024 on llvmpipe's 128 MiB). A K so long that not even
 * TILE_COLS columns fit stays one block, refused by the binding check naming the weight.
 */
function columnBlocks(k: number, n: number, limits: GPUSupportedLimits): [number, number][] {
  const fit = Math.floor(limits.maxStorageBufferBindingSize / (k * 4) / TILE_COLS) * TILE_COLS;
  if (k * n * 4 <= limits.maxStorageBufferBindingSize || fit === 0) return [[0, n]];
  const blocks: [number, number][] = [];
  for (let n0 = 0; n0 < n; n0 += fit) blocks.push([n0, Math.min(n, n0 + fit)]);
  return blocks;
}

export const gemm: OpDefinition = {
  oldestOpset: 7, // opsets 1-6 broadcast C only with a `broadcast` attribute
  fusesActivation: true,
  inferShapes(ctx) {
    const { m, n } = gemmShapes(ctx);
    return [[m, n]];
  },
  createDispatches(ctx: KernelContext) {
    const { node } = ctx;
    const { m, n, k, transA, transB } = gemmShapes(ctx);
    const constantB = ctx.constants[1]?.floats;
    const blocks = constantB ? columnBlocks(k, n, ctx.device.limits) : [[0, n] as [number, number]];
    const relaidB = constantB !== undefined && (transB || blocks.length > 1);
    const c = ctx.inputShapes[2];
    const cStrides = c ? broadcastStrides(c, [m, n]) : undefined;
    const problem: GemmProblem = {
      m, n, k,
      aStride: transA ? [1, m] : [k, 1],
      bStride: transB && !relaidB ? [1, k] : [n, 1],
      batchDims: [], aBatchStrides: [], bBatchStrides: [],
      alpha: attr(node, 'alpha', 1),
      beta: attr(node, 'beta', 1),
      cStride: cStrides ? [cStrides[0], cStrides[1]] : undefined,
    };
    if (!relaidB) return [gemmDispatch(node, problem, { a: { input: 0 }, b: { input: 1 }, c: c ? { input: 2 } : noC() })];
    // One dispatch per block, each with its block as the B binding: no binding exceeds the limit, and the weight
    // itself is never uploaded whole.
    return blocks.map(([n0, n1]) => gemmDispatch(node, { ...problem, n: n1 - n0, bStride: [n1 - n0, 1], nOffset: n0, yCols: n }, {
      a: { input: 0 },
      b: { derived: `columns/${transB ? 't' : 'n'}/${n0}-${n1}`, from: [1], compute: () => columnBlock(constantB, transB, k, n, n0, n1) },
      c: c ? { input: 2 } : noC(),
    }));
  },
};

interface MatMulShapes {
  m: number;
  n: number;
  k: number;
  aBatch: number[];
  bBatch: number[];
  outBatch: number[];
  out: number[];
}

/** numpy matmul: a 1-D A gains a leading 1, a 1-D B a trailing 1, and both are dropped from the output. */
function matMulShapes(ctx: OpContext): MatMulShapes {
  const { node } = ctx;
  const a = ctx.inputShapes[0]!;
  const b = ctx.inputShapes[1]!;
  if (a.length === 0 || b.length === 0) throw new InvalidShapeError(`MatMul (node "${node.name}"): scalar operands are not allowed`);
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const [m, k] = a2.slice(-2);
  const [kb, n] = b2.slice(-2);
  if (k !== kb) throw new InvalidShapeError(`MatMul (node "${node.name}"): [${a}] x [${b}]: inner dims ${k} and ${kb} differ`);
  const aBatch = a2.slice(0, -2);
  const bBatch = b2.slice(0, -2);
  const outBatch = broadcastShapes([aBatch, bBatch], `MatMul (node "${node.name}") batch dims`);
  const out = [...outBatch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
  return { m, n, k, aBatch, bBatch, outBatch, out };
}

export const matMul: OpDefinition = {
  fusesActivation: true,
  inferShapes: (ctx) => [matMulShapes(ctx).out],
  createDispatches(ctx: KernelContext) {
    const { node } = ctx;
    const s = matMulShapes(ctx);
    const batch = collapseBroadcast(s.outBatch, [s.aBatch, s.bBatch]);
    if (batch.dims.length > MAX_RANK) {
      throw new UnsupportedVariantError('MatMul', node.name, `batch dims [${s.outBatch}] need ${batch.dims.length} dims after merging; at most ${MAX_RANK} are supported`);
    }
    const problem: GemmProblem = {
      m: s.m, n: s.n, k: s.k,
      aStride: [s.k, 1],
      bStride: [s.n, 1],
      batchDims: batch.dims,
      aBatchStrides: batch.strides[0].map((v) => v * s.m * s.k),
      bBatchStrides: batch.strides[1].map((v) => v * s.k * s.n),
      alpha: 1,
      beta: 0,
    };
    return [gemmDispatch(node, problem, { a: { input: 0 }, b: { input: 1 }, c: noC() })];
  },
};
