/**
 * @module A small typed builder for float32 ONNX models, so tests and stand-in models are written in code
 * instead of shipped as opaque binaries.
 */
import onnxProto, { type onnx as proto } from 'onnx-proto';
import { elementTypeCode, floatTensorProto, int64TensorProto, typedTensorProto, type ElementType, type FloatStorage } from './tensor-proto.ts';

// onnx-proto is CommonJS assigning `module.exports`; Node's ESM loader only exposes it as the default export.
const { onnx } = onnxProto;

/** A node attribute with its ONNX type spelled out: a JS number cannot say whether it is an INT or a FLOAT. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: proto.TensorProto };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  /** A float32 tensor, e.g. a Constant node's `value` (PyTorch exports write Clip bounds this way). */
  floatTensor: (dims: readonly number[], data: readonly number[]): Attribute => ({ kind: 'tensor', value: floatTensorProto('', dims, Float32Array.from(data)) }),
  /** An int64 tensor, e.g. a Constant node's shape or index `value`. */
  int64Tensor: (dims: readonly number[], data: readonly number[]): Attribute => ({ kind: 'tensor', value: int64TensorProto('', dims, data) }),
  /** A tensor of any element type (Constant's and ConstantOfShape's `value`). */
  tensor: (type: ElementType, dims: readonly number[], data: readonly number[]): Attribute => ({ kind: 'tensor', value: typedTensorProto('', type, dims, data) }),
};

/** A dimension: a fixed size, or a symbolic name (`dim_param`) such as 'batch'. */
export type Dim = number | string;

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface ModelBuilderOptions {
  /** Default-domain opset version, or the full list of imports. */
  opset: number | readonly OpsetImport[];
  /** Defaults to 7 (ONNX 1.6), which every opset up to 21 may use; SqueezeNet 1.1 from the zoo uses 3. */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  graphName?: string;
  docString?: string;
  /** Default storage of float initializers. */
  floatStorage?: FloatStorage;
}

export interface InitializerOptions {
  storage?: FloatStorage;
  /**
   * Also list the initializer among the graph inputs, as IR version 3 exporters did (the zoo's squeezenet1.1-7):
   * an engine must then treat it as a constant with a default, not as a feed the caller has to supply.
   */
  asGraphInput?: boolean;
}

export interface NodeOptions {
  name?: string;
  domain?: string;
}

const A = onnx.AttributeProto.AttributeType;
const utf8 = new TextEncoder();

function attributeProto(name: string, a: Attribute): proto.AttributeProto {
  switch (a.kind) {
    case 'int': return onnx.AttributeProto.create({ name, type: A.INT, i: a.value });
    case 'ints': return onnx.AttributeProto.create({ name, type: A.INTS, ints: [...a.value] });
    case 'float': return onnx.AttributeProto.create({ name, type: A.FLOAT, f: a.value });
    case 'floats': return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: [...a.value] });
    case 'string': return onnx.AttributeProto.create({ name, type: A.STRING, s: utf8.encode(a.value) });
    case 'tensor': return onnx.AttributeProto.create({ name, type: A.TENSOR, t: a.value });
  }
}

function valueInfo(name: string, dims: readonly Dim[], elemType: number): proto.ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

export class ModelBuilder {
  private readonly inputs: proto.ValueInfoProto[] = [];
  private readonly outputs: proto.ValueInfoProto[] = [];
  private readonly initializers: proto.TensorProto[] = [];
  private readonly nodes: proto.NodeProto[] = [];
  private readonly metadataProps: proto.StringStringEntryProto[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly options: ModelBuilderOptions) {}

  /** A graph input, float32 unless `type` says otherwise. */
  input(name: string, dims: readonly Dim[], type: ElementType = 'float32'): this {
    this.claim(name);
    this.inputs.push(valueInfo(name, dims, elementTypeCode(type)));
    return this;
  }

  /** A graph output (float32 unless `type` says otherwise); it must be produced by a node or be an input/initializer. */
  output(name: string, dims: readonly Dim[], type: ElementType = 'float32'): this {
    this.outputs.push(valueInfo(name, dims, elementTypeCode(type)));
    return this;
  }

  initializer(name: string, dims: readonly number[], data: Float32Array, options: InitializerOptions = {}): this {
    this.claim(name);
    this.initializers.push(floatTensorProto(name, dims, data, options.storage ?? this.options.floatStorage ?? 'raw'));
    if (options.asGraphInput) this.inputs.push(valueInfo(name, dims, onnx.TensorProto.DataType.FLOAT));
    return this;
  }

  /** An int64 initializer, for the shape/axes inputs that ops such as Reshape take as tensors. */
  initializerInt64(name: string, dims: readonly number[], data: readonly number[], options: Pick<InitializerOptions, 'asGraphInput'> = {}): this {
    this.claim(name);
    this.initializers.push(int64TensorProto(name, dims, data));
    if (options.asGraphInput) this.inputs.push(valueInfo(name, dims, onnx.TensorProto.DataType.INT64));
    return this;
  }

  /** An initializer of any element type (int32 indices, bool masks...). */
  typedInitializer(name: string, type: ElementType, dims: readonly number[], data: readonly number[]): this {
    this.claim(name);
    this.initializers.push(typedTensorProto(name, type, dims, data));
    return this;
  }

  /** Empty strings in `inputs` mark omitted optional inputs, as in ONNX. */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, Attribute> = {}, options: NodeOptions = {}): this {
    this.nodes.push(onnx.NodeProto.create({
      opType,
      input: [...inputs],
      output: [...outputs],
      name: options.name ?? '',
      domain: options.domain ?? '',
      attribute: Object.entries(attributes).map(([k, v]) => attributeProto(k, v)),
    }));
    return this;
  }

  metadata(key: string, value: string): this {
    this.metadataProps.push(onnx.StringStringEntryProto.create({ key, value }));
    return this;
  }

  toProto(): proto.ModelProto {
    const o = this.options;
    const opsets = typeof o.opset === 'number' ? [{ domain: '', version: o.opset }] : o.opset;
    return onnx.ModelProto.create({
      irVersion: o.irVersion ?? 7,
      producerName: o.producerName ?? 'webgpu-classifier onnx-builder',
      producerVersion: o.producerVersion ?? '',
      docString: o.docString ?? '',
      opsetImport: opsets.map((s) => ({ domain: s.domain, version: s.version })),
      metadataProps: this.metadataProps,
      graph: {
        name: o.graphName ?? 'graph',
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }

  toBytes(): Uint8Array {
    return onnx.ModelProto.encode(this.toProto()).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`ModelBuilder: ${name} is already a graph input or initializer`);
    this.names.add(name);
  }
}
