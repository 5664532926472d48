/**
 * @module The first of the engine's three layers: a model prepared once, on the CPU, for any device and any
 * input shape. Parse, graph rewrites, constant folding, support check, topological order and the element
 * type of every value. A Durable Object keeps one; each device gets a DeviceModel (weights) built from it, and
 * each input shape an InferenceSession (a plan) of that DeviceModel.
 */
import { KERNELS } from './ops/registry.ts';
import { parseModel } from './onnx/parse.ts';
import { optimize } from './optimize.ts';
import { HOST_INPUT_TYPES, INPUT_TYPES, isFloat, type ConstTensor, type DataType, type ValueInfo } from './graph.ts';
import { definitionFor, definitionOf, type OpDefinition, type PlannedNode } from './kernel.ts';
import { ModelLoadError, UnsupportedOpError, UnsupportedVariantError, type UnsupportedNode } from './errors.ts';

export interface PrepareOptions {
  /** Kernels added to or replacing the built-in registry (engine/ops/registry.ts), keyed by ONNX op type. */
  kernels?: Readonly<Record<string, OpDefinition>>;
}

/** A graph output and the value that holds it after rewrites. */
export interface PreparedOutput {
  name: string;
  value: string;
  dataType: DataType;
  /** The ONNX op that produces it (e.g. `Softmax`, to know whether scores are probabilities). */
  producer?: string;
}

/** Immutable once made: shared by every device and every plan. */
export interface PreparedModel {
  readonly opset: number;
  readonly producer: string;
  /** Model metadata_props (e.g. `stand_in`). */
  readonly metadata: ReadonlyMap<string, string>;
  /** Graph inputs as declared (symbolic dims kept by name). */
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly PreparedOutput[];
  /** The nodes left after rewrites and folding, in topological order. */
  readonly nodes: readonly PlannedNode[];
  /** Initializers, Constant nodes and values folded at prepare time. */
  readonly constants: ReadonlyMap<string, ConstTensor>;
  /**
   * Graph inputs whose values a plan needs on the CPU: integer and bool inputs (shapes, axes, indices) and any
   * input a CPU-only op reads (Range's bounds). A session plans once per distinct set of their values.
   */
  readonly hostInputs: ReadonlySet<string>;
  /** Element type of every value: inputs, constants and node outputs. */
  readonly types: ReadonlyMap<string, DataType>;
  readonly kernels: Readonly<Record<string, OpDefinition>>;
}

/** Nodes whose op (in its domain: see kernelKey) has no definition in `kernels`. */
export function unsupportedNodes(nodes: readonly PlannedNode[], kernels: Readonly<Record<string, OpDefinition>>): UnsupportedNode[] {
  return nodes.filter((n) => !definitionOf(kernels, n)).map((n) => ({ opType: n.opType, domain: n.domain, node: n.name }));
}

/** Kahn's algorithm in model order: stable and deterministic, and it finds dangling inputs and cycles. */
function topologicalOrder(nodes: readonly PlannedNode[], available: Set<string>): PlannedNode[] {
  const ordered: PlannedNode[] = [];
  const pending = [...nodes];
  while (pending.length) {
    const i = pending.findIndex((n) => n.inputs.every((x) => !x || available.has(x)));
    if (i < 0) {
      const n = pending[0];
      const lacking = n.inputs.filter((x) => x && !available.has(x));
      throw new ModelLoadError(`Node "${n.name}" (${n.opType}) reads ${lacking.map((x) => `"${x}"`).join(', ')}, which no node, input or initializer provides (or the graph has a cycle)`);
    }
    const node = pending.splice(i, 1)[0];
    for (const o of node.outputs) if (o) available.add(o);
    ordered.push(node);
  }
  return ordered;
}

function hostInputsOf(inputs: readonly ValueInfo[], nodes: readonly PlannedNode[], kernels: Readonly<Record<string, OpDefinition>>): Set<string> {
  const names = new Set(inputs.map((v) => v.name));
  const host = new Set(inputs.filter((v) => HOST_INPUT_TYPES.includes(v.dataType)).map((v) => v.name));
  for (const n of nodes) {
    const def = definitionFor(kernels, n);
    if (!def.createDispatches && !def.view) for (const x of n.inputs) if (names.has(x)) host.add(x);
  }
  return host;
}

/** Element types flow forward: each op says its outputs' types from its inputs' (default: input 0's). */
function valueTypes(nodes: readonly PlannedNode[], inputs: readonly ValueInfo[], constants: ReadonlyMap<string, ConstTensor>, kernels: Readonly<Record<string, OpDefinition>>): Map<string, DataType> {
  const types = new Map<string, DataType>();
  for (const v of inputs) types.set(v.name, v.dataType);
  // Float constants are held as float32 whatever their file type (float16 and float64 are widened or narrowed on decode).
  for (const [name, t] of constants) types.set(name, isFloat(t.dataType) ? 'float32' : t.dataType);
  for (const n of nodes) {
    const inputTypes = n.inputs.map((v) => (v ? types.get(v) : undefined));
    const outputs = definitionFor(kernels, n).outputTypes?.(n, inputTypes) ?? n.outputs.map(() => inputTypes[0] ?? 'float32');
    n.outputs.forEach((o, k) => o && types.set(o, outputs[k]));
  }
  return types;
}

/**
 * Prepares ONNX model bytes. Every model problem that does not depend on input shapes (corrupt bytes,
 * unsupported ops listed by node, an input type the engine cannot feed) throws here, before any device exists.
 * @example
 * const model = prepareModel(onnxBytes);
 * const onGpu = new DeviceModel(device, model);
 * const batch4 = await InferenceSession.create(onGpu, { inputShapes: { data: [4, 3, 224, 224] } });
 */
export function prepareModel(bytes: Uint8Array, options: PrepareOptions = {}): PreparedModel {
  const kernels = { ...KERNELS, ...options.kernels };
  const graph = parseModel(bytes);
  const optimized = optimize(graph, kernels);
  const missing = unsupportedNodes(optimized.nodes, kernels);
  if (missing.length) throw new UnsupportedOpError(missing);
  const tooOld = optimized.nodes.find((n) => graph.opset < (definitionFor(kernels, n).oldestOpset ?? 1));
  if (tooOld) throw new UnsupportedVariantError(tooOld.opType, tooOld.name, `opset ${graph.opset} gives ${tooOld.opType} another meaning; this engine implements it from opset ${definitionFor(kernels, tooOld).oldestOpset} (convert the model with onnx.version_converter)`);
  for (const v of graph.inputs) {
    if (!INPUT_TYPES.includes(v.dataType)) throw new UnsupportedVariantError('graph input', v.name, `element type ${v.dataType}; inputs may be ${INPUT_TYPES.join(' or ')}`);
  }
  const nodes = topologicalOrder(optimized.nodes, new Set([...graph.inputs.map((v) => v.name), ...optimized.constants.keys()]));
  const types = valueTypes(nodes, graph.inputs, optimized.constants, kernels);
  const producers = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
  const outputs = graph.outputs.map((o): PreparedOutput => {
    const value = optimized.outputValues.get(o.name) ?? o.name;
    if (!types.has(value)) throw new ModelLoadError(`Graph output "${o.name}" is produced by no node`);
    return { name: o.name, value, dataType: types.get(value)!, producer: producers.get(value) };
  });
  return Object.freeze({
    opset: graph.opset,
    producer: graph.producer,
    metadata: graph.metadata,
    inputs: graph.inputs,
    outputs,
    nodes,
    constants: optimized.constants,
    hostInputs: hostInputsOf(graph.inputs, nodes, kernels),
    types,
    kernels,
  });
}
