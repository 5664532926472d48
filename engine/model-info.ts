/**
 * @module Static facts about a model: op counts, parameter count and multiply-accumulates (MACs), computed on
 * the CPU from the parsed graph so the CLI, the bench and the service can report them with or without a GPU.
 *
 * Shapes come from the kernels' own `inferShapes` run over the optimized graph (the graph the engine
 * executes), so MACs describe the work actually dispatched. Nodes whose shapes cannot be inferred (an op with
 * no kernel, or downstream of one) are listed in `macsUnknownNodes` and count 0: `macs` is then a lower bound.
 */
import type { Graph } from './graph.ts';
import { attr } from './graph.ts';
import { definitionOf, type OpDefinition, type PlannedNode } from './kernel.ts';
import { optimize, type OptimizedGraph } from './optimize.ts';
import { tryFold } from './fold.ts';
import { defaultInputShape } from './plan.ts';
import { unsupportedNodes } from './prepare.ts';
import { sizeOf } from './shape/broadcast.ts';

export interface ModelInfo {
  inputs: { name: string; dims: (number | string)[]; dataType: string }[];
  outputs: { name: string; dims: (number | string)[]; dataType: string }[];
  opset: number;
  producer: string;
  /** ONNX op type (with its domain when not the default) -> number of nodes, in first-use order. */
  opCounts: Record<string, number>;
  /** Op types left with no kernel in the given registry after graph rewrites. */
  unsupportedOps: string[];
  /** Values in float initializers and float Constant nodes (weights); integer shape tensors are not parameters. */
  parameters: number;
  /** Multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul nodes for one run. */
  macs: number;
  macsByOp: Record<string, number>;
  /** Compute nodes whose MACs could not be counted because their shapes are unknown. */
  macsUnknownNodes: string[];
  /** True when metadata_props has `stand_in` = `true` (seeded weights standing in for a real checkpoint). */
  standIn: boolean;
  metadata: Record<string, string>;
}

export interface ModelInfoOptions {
  /** Shapes for inputs with symbolic dims (default: every unknown dim is 1, as the session does). */
  inputShapes?: Record<string, number[]>;
  /** `optimize(graph, kernels)`, when the caller has already run it (it is not modified). */
  optimized?: OptimizedGraph;
}

const opKey = (n: { opType: string; domain: string }): string => (n.domain ? `${n.domain}.${n.opType}` : n.opType);

function countParameters(graph: Graph): number {
  let total = 0;
  for (const t of graph.initializers.values()) if (t.floats) total += t.floats.length;
  for (const n of graph.nodes) {
    if (n.opType !== 'Constant') continue;
    const v = n.attributes.get('value');
    if (v && typeof v === 'object' && !Array.isArray(v) && v.floats) total += v.floats.length;
  }
  return total;
}

/** Output shape for ops whose MACs we count, used when the registry has no kernel for them. */
function fallbackShape(node: PlannedNode, shapes: (readonly number[] | undefined)[]): number[] | undefined {
  const [a, b] = shapes;
  if (!a || !b) return undefined;
  if (node.opType === 'Gemm') {
    const m = attr(node, 'transA', 0) ? a[1] : a[0];
    const n = attr(node, 'transB', 0) ? b[0] : b[1];
    return [m, n];
  }
  if (node.opType === 'MatMul') {
    const a2 = a.length === 1 ? [1, a[0]] : [...a];
    const b2 = b.length === 1 ? [b[0], 1] : [...b];
    const batchA = a2.slice(0, -2);
    const batchB = b2.slice(0, -2);
    const rank = Math.max(batchA.length, batchB.length);
    const batch = Array.from({ length: rank }, (_, i) => Math.max(batchA[batchA.length - rank + i] ?? 1, batchB[batchB.length - rank + i] ?? 1));
    const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
    if (a.length === 1) out.splice(out.length - 2, 1);
    if (b.length === 1) out.splice(out.length - 1, 1);
    return out;
  }
  return undefined;
}

/** MACs of one node given its input and output shapes, or undefined for ops that are not counted. */
function nodeMacs(node: PlannedNode, ins: (readonly number[] | undefined)[], out: readonly number[]): number | undefined {
  const [x, w] = ins;
  switch (node.opType) {
    case 'Conv':
      // Every output element sums Cin/group * kh * kw products: the weight's dims after Cout.
      return w ? sizeOf(out) * sizeOf(w.slice(1)) : undefined;
    case 'ConvTranspose':
      // Every input element scatters into Cout/group * kh * kw outputs.
      return x && w ? sizeOf(x) * sizeOf(w.slice(1)) : undefined;
    case 'Gemm':
      return x ? sizeOf(out) * (attr(node, 'transA', 0) ? x[0] : x[1]) : undefined;
    case 'MatMul':
      return x ? sizeOf(out) * x[x.length - 1] : undefined;
    default:
      return undefined;
  }
}

const COUNTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** Computes `ModelInfo` for a parsed graph against a kernel registry (for shapes and support). */
export function modelInfo(graph: Graph, kernels: Readonly<Record<string, OpDefinition>>, options: ModelInfoOptions = {}): ModelInfo {
  const opCounts: Record<string, number> = {};
  for (const n of graph.nodes) opCounts[opKey(n)] = (opCounts[opKey(n)] ?? 0) + 1;
  const opt = options.optimized ?? optimize(graph, kernels);
  // Judged after rewrites: a BatchNormalization folded into its Conv or a removed Identity needs no kernel.
  const unsupportedOps = [...new Set(unsupportedNodes(opt.nodes, kernels).map(opKey))];
  const shapes = new Map<string, readonly number[]>();
  for (const v of graph.inputs) {
    shapes.set(v.name, options.inputShapes?.[v.name] ?? defaultInputShape(v.dims));
  }
  for (const [name, t] of opt.constants) shapes.set(name, t.dims);

  const macsByOp: Record<string, number> = {};
  const macsUnknownNodes: string[] = [];
  let macs = 0;
  const constants = new Map(opt.constants);
  // Model order is topological for valid ONNX; a node whose inputs are not known yet simply gets no shapes.
  for (const node of opt.nodes) {
    const ins = node.inputs.map((i) => (i ? shapes.get(i) : undefined));
    const known = node.inputs.every((i, k) => !i || ins[k]);
    let outs: number[][] | undefined;
    const def = definitionOf(kernels, node);
    if (known && def) {
      try {
        // Fold what these shapes fix, as a plan does (the Shape -> Reshape flatten ahead of a Gemm).
        const folded = tryFold(def, node, graph.opset, { constant: (v) => constants.get(v), shape: (v) => shapes.get(v) });
        folded?.forEach((t, k) => node.outputs[k] && constants.set(node.outputs[k], t));
        outs = folded?.map((t) => t.dims) ?? def.inferShapes({ node, opset: graph.opset, inputShapes: ins, constants: node.inputs.map((i) => (i ? constants.get(i) : undefined)) });
      } catch {
        outs = undefined; // the session will report the shape error; here the node just has no MACs
      }
    }
    if (!outs && known) {
      const s = fallbackShape(node, ins);
      if (s) outs = [s];
    }
    outs?.forEach((s, k) => node.outputs[k] && shapes.set(node.outputs[k], s));
    if (!COUNTED.has(node.opType) || node.domain) continue;
    const m = outs ? nodeMacs(node, ins, outs[0]) : undefined;
    if (m === undefined) {
      macsUnknownNodes.push(node.name);
      continue;
    }
    macs += m;
    macsByOp[node.opType] = (macsByOp[node.opType] ?? 0) + m;
  }

  const describe = (v: Graph['inputs'][number]) => ({ name: v.name, dims: [...v.dims], dataType: v.dataType });
  return {
    inputs: graph.inputs.map(describe),
    outputs: graph.outputs.map(describe),
    opset: graph.opset,
    producer: graph.producer,
    opCounts,
    unsupportedOps,
    parameters: countParameters(graph),
    macs,
    macsByOp,
    macsUnknownNodes,
    standIn: graph.metadata.get('stand_in') === 'true',
    metadata: Object.fromEntries(graph.metadata),
  };
}
