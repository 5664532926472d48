/**
 * @module Layer-level writing of stand-in models: each helper adds one ONNX node (and its seeded weights) to a
 * ModelBuilder, tracks the output shape, and counts parameters, MACs and ops as it goes. The family files
 * (resnet.ts, vgg.ts, ...) call these with their exporter's tensor names; this file knows no exporter.
 *
 * Weights are seeded per tensor name (deriveSeed), so one tensor's values never depend on which tensors were
 * written before it. With `countOnly` nothing is generated or written: `--list` sizes VGG-19 in milliseconds.
 */
import { ModelBuilder, attr, type Attribute } from './onnx-builder.ts';
import { deriveSeed, mulberry32, normalFloat32 } from './prng.ts';

/** A value in the graph and its shape (batch 1). */
export interface Value {
  name: string;
  dims: number[];
}

export interface NetStats {
  /** Float initializer values (weights, biases, BN statistics): what `onnx info` counts as parameters. */
  params: number;
  /** Multiply-accumulates of Conv, Gemm and MatMul for one image. */
  macs: number;
  /** Node count per op type, in first-use order. */
  ops: Record<string, number>;
}

/** [top, left, bottom, right], or one number for all four sides. */
export type Pads = number | readonly [number, number, number, number];

export interface ConvSpec {
  /** Output value name; the node gets `node` or no name (Caffe2 and PyTorch leave nodes unnamed or numbered). */
  out: string;
  node?: string;
  weight: string;
  /** Bias initializer name; omitted for bias-free convs (the ones followed by BatchNormalization). */
  bias?: string;
  channels: number;
  kernel: number | readonly [number, number];
  stride?: number;
  pads?: Pads;
  group?: number;
  /** Weight variance times fan-in (see WEIGHT_GAIN). */
  gain?: number;
  /** Write `dilations`, `group`, `kernel_shape`, `pads`, `strides` even at their defaults, as Caffe2 and MXNet do. */
  explicitDefaults?: boolean;
}

export interface BatchNormSpec {
  out: string;
  node?: string;
  /** Names of the four parameter tensors, in ONNX input order. */
  scale: string;
  bias: string;
  mean: string;
  variance: string;
  epsilon?: number;
  /** Multiplies gamma: residual branches end with a small one so sums of many blocks stay bounded. */
  gammaScale?: number;
  /** gamma = 1, beta = 0 (Gluon's BatchNorm(scale=False, center=False) on the input image). */
  identityAffine?: boolean;
  momentum?: number;
}

export interface PoolSpec {
  out: string;
  node?: string;
  kernel: number;
  stride: number;
  pads?: Pads;
}

export interface DenseSpec {
  out: string;
  node?: string;
  weight: string;
  bias: string;
  units: number;
  gain?: number;
}

/**
 * Weight variance times fan-in for a conv or dense layer followed by ReLU. He's 2 assumes uncentred weights;
 * with zero-sum filters only the activations' variation passes on and ReLU keeps about a third of a centred
 * input's variance, so 2 shrinks the signal layer by layer (SqueezeNet's stand-in tuned 3.5 the same way).
 */
export const RELU_GAIN = 3.5;
/**
 * For a conv followed by ReLU6 in a deep net (MobileNetV2's 52 layers): He's critical 2. RELU_GAIN's 3.5 makes
 * each layer amplify a perturbation (pre-activations grow to ~35, far past 6), so float32 rounding reached the
 * logits 1000-fold: onnxruntime's own optimized and unoptimized runs differed by 8.9e-4, both ~7e-4 off a float64
 * evaluation, beyond the CLI's tolerance for any float32 engine. At 2 all three agree with float64 within 3e-5.
 */
export const RELU6_GAIN = 2;
/** For a layer with no nonlinearity after it (a projection, a residual branch's end, the classifier). */
export const LINEAR_GAIN = 1;

const pads4 = (p: Pads = 0): [number, number, number, number] => (typeof p === 'number' ? [p, p, p, p] : [...p]);

function windowOut(size: number, kernel: number, stride: number, before: number, after: number): number {
  const n = Math.floor((size + before + after - kernel) / stride) + 1;
  if (n < 1) throw new Error(`window ${kernel}/${stride} does not fit a size ${size} dimension`);
  return n;
}

/**
 * Subtracts each filter's mean. After a ReLU every activation is positive, so with raw random weights a filter's
 * output follows the sum of its weights more than its input and every image gets the same top-5; zero-sum filters
 * answer to the input's variation instead.
 */
export function centeredPerFilter(weights: Float32Array, fanIn: number): Float32Array {
  for (let o = 0; o < weights.length; o += fanIn) {
    const filter = weights.subarray(o, o + fanIn);
    let sum = 0;
    for (let i = 0; i < fanIn; i++) sum += filter[i];
    const mean = sum / fanIn;
    for (let i = 0; i < fanIn; i++) filter[i] -= mean;
  }
  return weights;
}

function uniformFloat32(n: number, seed: number, lo: number, hi: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
}

export interface NetWriterOptions {
  /** List every initializer among the graph inputs, as IR version 3 exporters (MXNet, early Caffe2) did. */
  weightsAsInputs?: boolean;
  /** Count params, MACs and ops without generating or writing any tensor. */
  countOnly?: boolean;
}

export class NetWriter {
  readonly stats: NetStats = { params: 0, macs: 0, ops: {} };

  constructor(
    readonly builder: ModelBuilder,
    private readonly seed: number,
    private readonly options: NetWriterOptions = {},
  ) {}

  node(op: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, Attribute> = {}, name = ''): void {
    this.stats.ops[op] = (this.stats.ops[op] ?? 0) + 1;
    if (!this.options.countOnly) this.builder.node(op, inputs, outputs, attributes, { name });
  }

  /** A float initializer; `values` runs only when tensors are written. */
  tensor(name: string, dims: readonly number[], values: () => Float32Array): string {
    this.stats.params += dims.reduce((a, b) => a * b, 1);
    if (!this.options.countOnly) this.builder.initializer(name, dims, values(), { asGraphInput: this.options.weightsAsInputs });
    return name;
  }

  /** An int64 initializer (shapes, axes): not a parameter. */
  int64(name: string, dims: readonly number[], values: readonly number[]): string {
    if (!this.options.countOnly) this.builder.initializerInt64(name, dims, values, { asGraphInput: this.options.weightsAsInputs });
    return name;
  }

  /** Zero-mean filters of `fanIn` values each, normal with variance gain / fanIn. */
  filters(name: string, dims: readonly number[], fanIn: number, gain: number): string {
    return this.tensor(name, dims, () => centeredPerFilter(normalFloat32(dims.reduce((a, b) => a * b, 1), deriveSeed(this.seed, name), Math.sqrt(gain / fanIn)), fanIn));
  }

  /** Small biases: nonzero so bias handling is exercised, too small to swamp the weights' signal. */
  bias(name: string, n: number): string {
    return this.tensor(name, [n], () => normalFloat32(n, deriveSeed(this.seed, name), 0.01));
  }

  conv(x: Value, s: ConvSpec): Value {
    const [n, c, h, w] = x.dims;
    const [kh, kw] = typeof s.kernel === 'number' ? [s.kernel, s.kernel] : s.kernel;
    const stride = s.stride ?? 1;
    const group = s.group ?? 1;
    const pads = pads4(s.pads);
    if (c % group || s.channels % group) throw new Error(`${s.out}: ${c} -> ${s.channels} channels do not split into ${group} groups`);
    const fanIn = (c / group) * kh * kw;
    this.filters(s.weight, [s.channels, c / group, kh, kw], fanIn, s.gain ?? RELU_GAIN);
    if (s.bias) this.bias(s.bias, s.channels);
    const attributes: Record<string, Attribute> = { kernel_shape: attr.ints([kh, kw]) };
    if (s.explicitDefaults || pads.some(Boolean)) attributes.pads = attr.ints(pads);
    if (s.explicitDefaults || stride !== 1) attributes.strides = attr.ints([stride, stride]);
    if (s.explicitDefaults || group !== 1) attributes.group = attr.int(group);
    if (s.explicitDefaults) attributes.dilations = attr.ints([1, 1]);
    this.node('Conv', s.bias ? [x.name, s.weight, s.bias] : [x.name, s.weight], [s.out], sortKeys(attributes), s.node);
    const out = [n, s.channels, windowOut(h, kh, stride, pads[0], pads[2]), windowOut(w, kw, stride, pads[1], pads[3])];
    this.stats.macs += out[1] * out[2] * out[3] * fanIn;
    return { name: s.out, dims: out };
  }

  /**
   * Inference BatchNormalization with statistics near the identity (gamma ~1, variance ~1, small beta and mean):
   * real statistics would need the trained activations; these keep the signal's scale while every parameter
   * still matters to the result.
   */
  batchNorm(x: Value, s: BatchNormSpec): Value {
    const c = x.dims[1];
    const seed = (name: string) => deriveSeed(this.seed, name);
    const g = s.gammaScale ?? 1;
    this.tensor(s.scale, [c], () => (s.identityAffine ? new Float32Array(c).fill(1) : uniformFloat32(c, seed(s.scale), 0.8 * g, 1.2 * g)));
    this.tensor(s.bias, [c], () => (s.identityAffine ? new Float32Array(c) : normalFloat32(c, seed(s.bias), 0.05)));
    this.tensor(s.mean, [c], () => normalFloat32(c, seed(s.mean), 0.05));
    this.tensor(s.variance, [c], () => uniformFloat32(c, seed(s.variance), 0.8, 1.2));
    const attributes: Record<string, Attribute> = { epsilon: attr.float(s.epsilon ?? 1e-5) };
    if (s.momentum !== undefined) attributes.momentum = attr.float(s.momentum);
    this.node('BatchNormalization', [x.name, s.scale, s.bias, s.mean, s.variance], [s.out], attributes, s.node);
    return { name: s.out, dims: x.dims };
  }

  relu(x: Value, out: string, node = ''): Value {
    this.node('Relu', [x.name], [out], {}, node);
    return { name: out, dims: x.dims };
  }

  /** ReLU6 as opset 11+ writes it: Clip with min/max as inputs (Constant nodes or initializers, the caller's). */
  clipInputs(x: Value, out: string, min: string, max: string, node = ''): Value {
    this.node('Clip', [x.name, min, max], [out], {}, node);
    return { name: out, dims: x.dims };
  }

  /** A Constant node holding a float32 tensor. */
  constantFloat(out: string, dims: readonly number[], values: readonly number[], node = ''): string {
    this.node('Constant', [], [out], { value: attr.floatTensor(dims, values) }, node);
    return out;
  }

  /** A Constant node holding an int64 tensor. */
  constantInt64(out: string, dims: readonly number[], values: readonly number[], node = ''): string {
    this.node('Constant', [], [out], { value: attr.int64Tensor(dims, values) }, node);
    return out;
  }

  maxPool(x: Value, s: PoolSpec): Value {
    return this.pool('MaxPool', x, s);
  }

  averagePool(x: Value, s: PoolSpec): Value {
    return this.pool('AveragePool', x, s);
  }

  private pool(op: 'MaxPool' | 'AveragePool', x: Value, s: PoolSpec): Value {
    const [n, c, h, w] = x.dims;
    const pads = pads4(s.pads);
    this.node(op, [x.name], [s.out], { kernel_shape: attr.ints([s.kernel, s.kernel]), pads: attr.ints(pads), strides: attr.ints([s.stride, s.stride]) }, s.node);
    return { name: s.out, dims: [n, c, windowOut(h, s.kernel, s.stride, pads[0], pads[2]), windowOut(w, s.kernel, s.stride, pads[1], pads[3])] };
  }

  globalAveragePool(x: Value, out: string, node = ''): Value {
    this.node('GlobalAveragePool', [x.name], [out], {}, node);
    return { name: out, dims: [x.dims[0], x.dims[1], 1, 1] };
  }

  concat(xs: readonly Value[], out: string, node = ''): Value {
    this.node('Concat', xs.map((x) => x.name), [out], { axis: attr.int(1) }, node);
    const dims = [...xs[0].dims];
    dims[1] = xs.reduce((a, x) => a + x.dims[1], 0);
    return { name: out, dims };
  }

  add(a: Value, b: Value, out: string, node = ''): Value {
    this.node('Add', [a.name, b.name], [out], {}, node);
    return { name: out, dims: a.dims };
  }

  /** Caffe2 writes residual sums as the variadic Sum. */
  sum(xs: readonly Value[], out: string, node = ''): Value {
    this.node('Sum', xs.map((x) => x.name), [out], {}, node);
    return { name: out, dims: xs[0].dims };
  }

  flatten(x: Value, out: string, node = ''): Value {
    this.node('Flatten', [x.name], [out], { axis: attr.int(1) }, node);
    return { name: out, dims: [x.dims[0], x.dims.slice(1).reduce((a, b) => a * b, 1)] };
  }

  /** Reshape to `dims` through an int64 shape initializer named `shape`. */
  reshape(x: Value, shape: string, dims: readonly number[], out: string, node = ''): Value {
    this.int64(shape, [dims.length], dims);
    return this.reshapeBy(x, shape, dims, out, node);
  }

  /** Reshape by a shape value the caller made (a Constant node, a Concat of Shape pieces); `dims` is the result. */
  reshapeBy(x: Value, shape: string, dims: readonly number[], out: string, node = ''): Value {
    this.node('Reshape', [x.name, shape], [out], {}, node);
    return { name: out, dims: [...dims] };
  }

  transpose(x: Value, perm: readonly number[], out: string, node = ''): Value {
    this.node('Transpose', [x.name], [out], { perm: attr.ints(perm) }, node);
    return { name: out, dims: perm.map((p) => x.dims[p]) };
  }

  /** Gemm with a [units, in] weight (transB = 1), as every exporter here writes a dense layer. */
  gemm(x: Value, s: DenseSpec): Value {
    const fanIn = x.dims[1];
    this.filters(s.weight, [s.units, fanIn], fanIn, s.gain ?? RELU_GAIN);
    this.bias(s.bias, s.units);
    this.node('Gemm', [x.name, s.weight, s.bias], [s.out], { alpha: attr.float(1), beta: attr.float(1), transB: attr.int(1) }, s.node);
    this.stats.macs += s.units * fanIn;
    return { name: s.out, dims: [x.dims[0], s.units] };
  }

  /** TensorFlow's dense layer as tf2onnx writes it: MatMul by an [in, units] weight, then Add of the bias. */
  matMulAdd(x: Value, s: DenseSpec & { matMulOut: string; addNode?: string }): Value {
    const fanIn = x.dims[1];
    const gain = s.gain ?? RELU_GAIN;
    // Zero-mean per output unit, as the Gemm rows: the [in, units] layout makes a unit's weights a column.
    this.tensor(s.weight, [fanIn, s.units], () => {
      const rows = centeredPerFilter(normalFloat32(fanIn * s.units, deriveSeed(this.seed, s.weight), Math.sqrt(gain / fanIn)), fanIn);
      const t = new Float32Array(rows.length);
      for (let u = 0; u < s.units; u++) for (let i = 0; i < fanIn; i++) t[i * s.units + u] = rows[u * fanIn + i];
      return t;
    });
    this.bias(s.bias, s.units);
    this.node('MatMul', [x.name, s.weight], [s.matMulOut], {}, s.node);
    this.node('Add', [s.matMulOut, s.bias], [s.out], {}, s.addNode);
    this.stats.macs += s.units * fanIn;
    return { name: s.out, dims: [x.dims[0], s.units] };
  }

  /** AlexNet's and GoogLeNet's local response normalization, with Caffe's parameters. */
  lrn(x: Value, out: string, node = ''): Value {
    this.node('LRN', [x.name], [out], { alpha: attr.float(1e-4), beta: attr.float(0.75), bias: attr.float(1), size: attr.int(5) }, node);
    return { name: out, dims: x.dims };
  }

  softmax(x: Value, out: string, node = ''): Value {
    this.node('Softmax', [x.name], [out], { axis: attr.int(1) }, node);
    return { name: out, dims: x.dims };
  }

  /**
   * Dropout as inference exporters left it. `ratio` is written as an attribute (opsets 7-11); `mask` names the
   * second output that Caffe2 always wrote.
   */
  dropout(x: Value, out: string, options: { ratio?: number; mask?: string; node?: string } = {}): Value {
    const attributes: Record<string, Attribute> = options.ratio === undefined ? {} : { ratio: attr.float(options.ratio) };
    this.node('Dropout', [x.name], options.mask ? [out, options.mask] : [out], attributes, options.node);
    return { name: out, dims: x.dims };
  }
}

/** ONNX exporters write attributes sorted by name; so do we, for byte-stable models whatever the call order. */
function sortKeys(a: Record<string, Attribute>): Record<string, Attribute> {
  return Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1)));
}
