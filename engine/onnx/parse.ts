/**
 * @module ONNX ModelProto bytes -> Graph. Checks what can be checked without a GPU: the protobuf decodes,
 * the opset is in range, tensors hold as many values as their dims say.
 */
import onnxProto from 'onnx-proto';
import type { onnx as pb } from 'onnx-proto';
import type { AttributeValue, Graph, GraphNode, ValueInfo } from '../graph.ts';
import { ModelLoadError } from '../errors.ts';
import { dataTypeName, decodeTensor, toNumber } from './tensor.ts';

// onnx-proto is CommonJS assigning `module.exports`: Node's ESM loader (the CLI, bench) only exposes it as the
// default export, so a named import works under vitest but crashes `node --import tsx`.
const { onnx } = onnxProto;

/**
 * Opset range the kernels are written against (ONNX 1.0 .. 1.16). Ops whose meaning changed inside it say from
 * which opset they apply (OpDefinition.oldestOpset), checked per node when the model is prepared.
 */
export const MIN_OPSET = 1;
export const MAX_OPSET = 21;

const A = onnx.AttributeProto.AttributeType;
const utf8 = new TextDecoder();

function decodeAttribute(a: pb.IAttributeProto, where: string): AttributeValue | undefined {
  switch (a.type) {
    case A.INT: return toNumber(a.i);
    case A.INTS: return (a.ints ?? []).map(toNumber);
    case A.FLOAT: return a.f ?? 0;
    case A.FLOATS: return [...(a.floats ?? [])];
    case A.STRING: return utf8.decode(a.s ?? new Uint8Array());
    case A.STRINGS: return (a.strings ?? []).map((s) => utf8.decode(s));
    case A.TENSOR: return a.t ? decodeTensor(a.t, `${where} attribute ${a.name}`) : undefined;
    default: return undefined; // graphs, sparse tensors: no op we support uses them
  }
}

function valueInfo(v: pb.IValueInfoProto): ValueInfo {
  const tensor = v.type?.tensorType;
  const dims = (tensor?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? toNumber(d.dimValue) : '?'));
  return { name: v.name ?? '', dataType: dataTypeName(tensor?.elemType), dims };
}

/** Parses ONNX model bytes. Throws ModelLoadError on anything malformed. */
export function parseModel(bytes: Uint8Array): Graph {
  if (bytes.byteLength === 0) throw new ModelLoadError('The model file is empty');
  let model: pb.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelLoadError(`Not a valid ONNX model (the protobuf does not decode: ${(e as Error).message}); the file may be truncated or not ONNX`);
  }
  const g = model.graph;
  if (!g || (g.node ?? []).length === 0) throw new ModelLoadError('The ONNX model has no graph or no nodes; the file may be truncated or not ONNX');
  const opsetEntry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  // ONNX requires the import; without it a file cut short could pass for an opset-1 model.
  if (!opsetEntry) throw new ModelLoadError('The model imports no ONNX opset (opset_import of the default domain); the file may be truncated or not ONNX');
  const opset = toNumber(opsetEntry.version);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ModelLoadError(`The model uses ONNX opset ${opset}; this engine supports opsets ${MIN_OPSET} to ${MAX_OPSET} (convert it with onnx.version_converter)`);
  }
  const initializers = new Map<string, ReturnType<typeof decodeTensor>>();
  for (const t of g.initializer ?? []) {
    initializers.set(t.name ?? '', decodeTensor(t, `initializer "${t.name}"`));
  }
  const nodes: GraphNode[] = (g.node ?? []).map((n, i) => {
    const name = n.name || `${n.opType}_${i}`;
    const attributes = new Map<string, AttributeValue>();
    for (const a of n.attribute ?? []) {
      const v = decodeAttribute(a, `node "${name}"`);
      if (v !== undefined) attributes.set(a.name ?? '', v);
    }
    return { name, opType: n.opType ?? '', domain: n.domain === 'ai.onnx' ? '' : (n.domain ?? ''), inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attributes };
  });
  const inputs = (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(valueInfo);
  const outputs = (g.output ?? []).map(valueInfo);
  if (outputs.length === 0) throw new ModelLoadError('The ONNX graph declares no outputs');
  const metadata = new Map((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  return { nodes, inputs, outputs, initializers, opset, metadata, producer: model.producerName ?? '' };
}
