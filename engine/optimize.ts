/**
 * @module Graph rewrites before planning. Each rewrite is a small function over the node list:
 * - Constant nodes become initializers;
 * - Identity and Dropout (inference) disappear: their consumers read the input directly;
 * - nodes whose inputs are all constants are evaluated on the CPU (their op's `evaluate`) and become constants;
 * - BatchNormalization right after a Conv is folded into the conv's weights and bias;
 * - Relu, LeakyRelu, Clip and Sigmoid right after an op that `fusesActivation` run inside that op.
 * View ops (Reshape, Flatten...) are not rewritten here: the planner aliases their buffers.
 */
import type { ConstTensor, Graph } from './graph.ts';
import { attr } from './graph.ts';
import { definitionOf, type OpDefinition, type PlannedNode } from './kernel.ts';
import { activationOf } from './activation.ts';
import { tryFold } from './fold.ts';

/** Ops with no work at inference: output 0 is input 0. */
export const PASS_THROUGH_OPS: ReadonlySet<string> = new Set(['Identity', 'Dropout']);

export interface OptimizedGraph {
  nodes: PlannedNode[];
  /** Initializers, Constant nodes and folded values. */
  constants: Map<string, ConstTensor>;
  /** Graph output name -> the value that holds it after rewrites. */
  outputValues: Map<string, string>;
}

/** Counts how many node inputs (and graph outputs) read each value. */
export function consumerCounts(nodes: readonly PlannedNode[], graphOutputs: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) if (i) counts.set(i, (counts.get(i) ?? 0) + 1);
  for (const o of graphOutputs) counts.set(o, (counts.get(o) ?? 0) + 1);
  return counts;
}

function constantFromNode(node: PlannedNode): ConstTensor | undefined {
  const v = node.attributes.get('value');
  if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  const f = node.attributes.get('value_float');
  if (typeof f === 'number') return { dims: [], dataType: 'float32', floats: Float32Array.of(f) };
  const fs = node.attributes.get('value_floats');
  if (Array.isArray(fs)) return { dims: [fs.length], dataType: 'float32', floats: Float32Array.from(fs as number[]) };
  const i = node.attributes.get('value_int');
  if (typeof i === 'number') return { dims: [], dataType: 'int64', ints: [i] };
  const is = node.attributes.get('value_ints');
  if (Array.isArray(is)) return { dims: [is.length], dataType: 'int64', ints: is as number[] };
  return undefined;
}

function foldConstants(g: OptimizedGraph): void {
  g.nodes = g.nodes.filter((n) => {
    if (n.opType !== 'Constant' || n.domain) return true;
    const t = constantFromNode(n);
    if (!t) return true; // left for validation to report
    g.constants.set(n.outputs[0], t);
    return false;
  });
}

/** Nodes whose inputs are all constants: evaluated now, once, instead of at every run. */
function foldConstantNodes(g: OptimizedGraph, kernels: Readonly<Record<string, OpDefinition>>, opset: number): void {
  const known = { constant: (v: string) => g.constants.get(v), shape: () => undefined };
  g.nodes = g.nodes.filter((n) => {
    const def = definitionOf(kernels, n);
    const outputs = def && tryFold(def, n, opset, known);
    if (!outputs) return true;
    n.outputs.forEach((o, k) => o && g.constants.set(o, outputs[k]));
    return false;
  });
}

function removePassThrough(g: OptimizedGraph, graphOutputs: readonly string[]): void {
  const rename = new Map<string, string>();
  const resolve = (v: string): string => {
    let cur = v;
    while (rename.has(cur)) cur = rename.get(cur)!;
    return cur;
  };
  g.nodes = g.nodes.filter((n) => {
    if (!PASS_THROUGH_OPS.has(n.opType) || n.domain) return true;
    // Dropout's optional mask output has no meaning at inference; keep the node if someone reads it.
    const maskUsed = n.outputs[1] && g.nodes.some((m) => m.inputs.includes(n.outputs[1]));
    if (maskUsed) return true;
    rename.set(n.outputs[0], n.inputs[0]);
    return false;
  });
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i ? resolve(i) : i));
  for (const o of graphOutputs) g.outputValues.set(o, resolve(o));
}

/** W' = W * s, b' = (b - mean) * s + beta with s = gamma / sqrt(var + eps), per output channel. */
function foldBatchNorm(g: OptimizedGraph): void {
  const counts = consumerCounts(g.nodes, g.outputValues.values());
  const producer = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  g.nodes = g.nodes.filter((bn) => {
    if (bn.opType !== 'BatchNormalization' || bn.outputs.slice(1).some(Boolean) || attr(bn, 'training_mode', 0) !== 0) return true;
    const conv = producer.get(bn.inputs[0]);
    if (!conv || conv.opType !== 'Conv' || conv.activation || counts.get(bn.inputs[0]) !== 1) return true;
    const [scale, beta, mean, variance] = bn.inputs.slice(1).map((i) => g.constants.get(i)?.floats);
    const w = g.constants.get(conv.inputs[1]);
    if (!scale || !beta || !mean || !variance || !w?.floats) return true;
    if (conv.inputs[2] && !g.constants.get(conv.inputs[2])?.floats) return true;
    const eps = attr(bn, 'epsilon', 1e-5);
    const cout = w.dims[0];
    const per = w.floats.length / cout;
    const newW = new Float32Array(w.floats.length);
    const newB = new Float32Array(cout);
    const oldB = conv.inputs[2] ? g.constants.get(conv.inputs[2])!.floats! : new Float32Array(cout);
    for (let o = 0; o < cout; o++) {
      const s = scale[o] / Math.sqrt(variance[o] + eps);
      for (let k = 0; k < per; k++) newW[o * per + k] = w.floats[o * per + k] * s;
      newB[o] = (oldB[o] - mean[o]) * s + beta[o];
    }
    // New names: the original initializers may be shared with other nodes.
    const wName = `${conv.inputs[1]}::bn_folded::${bn.name}`;
    const bName = `${conv.inputs[2] || conv.name}::bias_bn_folded::${bn.name}`;
    g.constants.set(wName, { dims: w.dims, dataType: 'float32', floats: newW });
    g.constants.set(bName, { dims: [cout], dataType: 'float32', floats: newB });
    conv.inputs = [conv.inputs[0], wName, bName];
    conv.outputs = [bn.outputs[0]];
    return false;
  });
}

function fuseActivations(g: OptimizedGraph, kernels: Readonly<Record<string, OpDefinition>>, opset: number): void {
  const counts = consumerCounts(g.nodes, g.outputValues.values());
  const producer = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  g.nodes = g.nodes.filter((act) => {
    if (act.domain) return true;
    const activation = activationOf(act, opset, (i) => g.constants.get(act.inputs[i]));
    if (!activation) return true;
    const prev = producer.get(act.inputs[0]);
    if (!prev || prev.activation || prev.outputs.length !== 1 || !definitionOf(kernels, prev)?.fusesActivation) return true;
    if (counts.get(act.inputs[0]) !== 1) return true;
    prev.activation = activation;
    prev.outputs = [act.outputs[0]];
    producer.set(act.outputs[0], prev);
    return false;
  });
}

export function optimize(graph: Graph, kernels: Readonly<Record<string, OpDefinition>>): OptimizedGraph {
  const g: OptimizedGraph = {
    nodes: graph.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] })),
    constants: new Map(graph.initializers),
    outputValues: new Map(graph.outputs.map((o) => [o.name, o.name])),
  };
  foldConstants(g);
  removePassThrough(g, graph.outputs.map((o) => o.name));
  foldConstantNodes(g, kernels, graph.opset);
  foldBatchNorm(g);
  fuseActivations(g, kernels, graph.opset);
  return g;
}
