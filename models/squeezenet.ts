/**
 * @module Stand-ins for the ONNX model zoo's SqueezeNet 1.1 (squeezenet1.1-7, exported from MXNet Gluon) and
 * SqueezeNet 1.0 (squeezenet1.0-9, exported from Caffe2): the same ops, attributes, tensor names and shapes, with
 * seeded random normal weights (zero-mean per filter, variance 3.5/fan-in) in place of the trained ones, so the repo and CI need no downloaded weights.
 */
import { ModelBuilder, attr, type Attribute } from './onnx-builder.ts';
import { deriveSeed, normalFloat32 } from './prng.ts';
import { centeredPerFilter, type NetStats } from './net-writer.ts';
import { DEFAULT_SEED, type StandInSpec } from './stand-in.ts';
import { SQUEEZENET10_FILE, SQUEEZENET11_FILE } from './paths.ts';

export { DEFAULT_SEED };

export type SqueezeNetVersion = '1.0' | '1.1';

export type SqueezeNetStats = NetStats;

/** [squeeze, expand1x1 = expand3x3] channels of each fire module, in order, with 'pool' where a MaxPool sits. */
type Stage = readonly [number, number] | 'pool';

const FIRES_11: readonly Stage[] = [
  'pool', [16, 64], [16, 64], 'pool', [32, 128], [32, 128], 'pool', [48, 192], [48, 192], [64, 256], [64, 256],
];
const FIRES_10: readonly Stage[] = [
  'pool', [16, 64], [16, 64], [32, 128], 'pool', [32, 128], [48, 192], [48, 192], [64, 256], 'pool', [64, 256],
];

/**
 * Weight variance times fan-in. He's 2 assumes uncentred weights; with zero-sum filters only the activations'
 * variation passes on, and ReLU keeps about 0.34 of a centred input's variance, so 2 halves the signal every few
 * layers and the logits end up flat (softmax ~0.001 everywhere). 3.5 was tuned so that on unit-scale noise the
 * logits span about 2..10: top-1 probability 0.04-0.1, and the top-5 changes with the input.
 */
const WEIGHT_GAIN = 3.5;

const CLASSES = 1000;
const INPUT_SIZE = 224;

/** Which conv of the network: the stem, the classifier, or one of a fire module's three. */
type ConvRole = 'conv1' | 'conv10' | 'squeeze1x1' | 'expand1x1' | 'expand3x3';

/** How an exporter names things; the two zoo models differ completely. */
interface Naming {
  conv(i: number, fire: number | undefined, role: ConvRole): { node: string; weight: string; bias: string; out: string; reluNode: string; reluOut: string };
  pool(i: number, fireBefore: number): { node: string; out: string };
  concat(i: number, fire: number): { node: string; out: string };
}

/** MXNet Gluon: one running counter per layer kind, node and output share a name. */
const mxnetNaming: Naming = {
  conv: (i) => ({
    node: `squeezenet0_conv${i}_fwd`, out: `squeezenet0_conv${i}_fwd`,
    weight: `squeezenet0_conv${i}_weight`, bias: `squeezenet0_conv${i}_bias`,
    reluNode: `squeezenet0_relu${i}_fwd`, reluOut: `squeezenet0_relu${i}_fwd`,
  }),
  pool: (i) => ({ node: `squeezenet0_pool${i}_fwd`, out: `squeezenet0_pool${i}_fwd` }),
  concat: (i) => ({ node: `squeezenet0_concat${i}`, out: `squeezenet0_concat${i}` }),
};

/**
 * Caffe2: blob names from the Caffe prototxt with SSA suffixes (`_0` for parameters and inputs, `_1` after the
 * first write, `_2` after the in-place ReLU); nodes are unnamed.
 */
const caffe2Naming: Naming = {
  conv: (_i, fire, role) => {
    const base = fire === undefined ? role : `fire${fire}/${role}`;
    return { node: '', weight: `${base}_w_0`, bias: `${base}_b_0`, out: `${base}_1`, reluNode: '', reluOut: `${base}_2` };
  },
  // Caffe names a pool after the layer index it follows: pool1, pool4, pool8.
  pool: (_i, fireBefore) => ({ node: '', out: `pool${fireBefore}_1` }),
  concat: (_i, fire) => ({ node: '', out: `fire${fire}/concat_1` }),
};

interface Shape {
  c: number;
  h: number;
  w: number;
}

/** Walks the topology once, adding nodes and weights to the builder and counting as it goes. */
class SqueezeNetWriter {
  readonly stats: SqueezeNetStats = { params: 0, macs: 0, ops: {} };
  private convIndex = 0;
  private poolIndex = 0;
  private concatIndex = 0;

  constructor(
    private readonly b: ModelBuilder,
    private readonly naming: Naming,
    private readonly seed: number,
    private readonly weightsAsInputs: boolean,
  ) {}

  node(op: string, name: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}): void {
    this.b.node(op, inputs, outputs, attributes, { name });
    this.stats.ops[op] = (this.stats.ops[op] ?? 0) + 1;
  }

  /** Conv + Relu with centred normal weights of variance WEIGHT_GAIN / fan-in. */
  convRelu(input: string, s: Shape, outC: number, k: number, stride: number, pad: number, fire: number | undefined, role: ConvRole): [string, Shape] {
    const n = this.naming.conv(this.convIndex++, fire, role);
    const fanIn = s.c * k * k;
    const wDims = [outC, s.c, k, k];
    const weights = centeredPerFilter(normalFloat32(outC * fanIn, deriveSeed(this.seed, n.weight), Math.sqrt(WEIGHT_GAIN / fanIn)), fanIn);
    // Small biases: nonzero so bias handling is tested, too small to swamp the weights' signal.
    const bias = normalFloat32(outC, deriveSeed(this.seed, n.bias), 0.01);
    this.b.initializer(n.weight, wDims, weights, { asGraphInput: this.weightsAsInputs });
    this.b.initializer(n.bias, [outC], bias, { asGraphInput: this.weightsAsInputs });
    this.node('Conv', n.node, [input, n.weight, n.bias], [n.out], {
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
      kernel_shape: attr.ints([k, k]),
      pads: attr.ints([pad, pad, pad, pad]),
      strides: attr.ints([stride, stride]),
    });
    this.node('Relu', n.reluNode, [n.out], [n.reluOut]);
    const out = { c: outC, h: Math.floor((s.h + 2 * pad - k) / stride) + 1, w: Math.floor((s.w + 2 * pad - k) / stride) + 1 };
    this.stats.params += weights.length + bias.length;
    this.stats.macs += out.c * out.h * out.w * fanIn;
    return [n.reluOut, out];
  }

  /** 3x3 stride-2 MaxPool; `pads` end-padding emulates Caffe's ceil-mode output size where the exporter needed it. */
  maxPool(input: string, s: Shape, fireBefore: number, endPad: number): [string, Shape] {
    const n = this.naming.pool(this.poolIndex++, fireBefore);
    this.node('MaxPool', n.node, [input], [n.out], {
      kernel_shape: attr.ints([3, 3]),
      pads: attr.ints([0, 0, endPad, endPad]),
      strides: attr.ints([2, 2]),
    });
    const size = (x: number) => Math.floor((x + endPad - 3) / 2) + 1;
    return [n.out, { c: s.c, h: size(s.h), w: size(s.w) }];
  }

  fire(input: string, s: Shape, fire: number, squeeze: number, expand: number): [string, Shape] {
    const [sq, sqShape] = this.convRelu(input, s, squeeze, 1, 1, 0, fire, 'squeeze1x1');
    const [e1] = this.convRelu(sq, sqShape, expand, 1, 1, 0, fire, 'expand1x1');
    const [e3, eShape] = this.convRelu(sq, sqShape, expand, 3, 1, 1, fire, 'expand3x3');
    const n = this.naming.concat(this.concatIndex++, fire);
    this.node('Concat', n.node, [e1, e3], [n.out], { axis: attr.int(1) });
    return [n.out, { ...eShape, c: 2 * expand }];
  }

  /** Pools and fires from the stage list; fires are numbered from 2 as in the paper. */
  body(input: string, s: Shape, stages: readonly Stage[], poolEndPad: number): [string, Shape] {
    let x = input;
    let shape = s;
    let fire = 2;
    for (const stage of stages) {
      [x, shape] = stage === 'pool'
        ? this.maxPool(x, shape, fire - 1, poolEndPad)
        : this.fire(x, shape, fire++, stage[0], stage[1]);
    }
    return [x, shape];
  }
}

function standInMetadata(b: ModelBuilder, version: SqueezeNetVersion, seed: number): void {
  b.metadata('stand_in', 'true');
  b.metadata('stand_in_of', version === '1.1' ? 'onnx/models squeezenet1.1-7.onnx' : 'onnx/models squeezenet1.0-9.onnx');
  b.metadata('seed', String(seed));
}

function docString(version: SqueezeNetVersion, seed: number): string {
  return `Stand-in for the ONNX model zoo SqueezeNet ${version}: same topology, seeded random weights (normal, zero-mean per filter, variance 3.5/fan-in), seed ${seed}. Its predictions mean nothing.`;
}

function build11(seed: number): { bytes: Uint8Array; stats: SqueezeNetStats } {
  // The zoo file is IR version 3 and, like every IR 3 export, lists each weight among the graph inputs.
  const b = new ModelBuilder({ opset: 7, irVersion: 3, producerName: 'webgpu-classifier stand-in (MXNet Gluon layout)', graphName: 'mxnet_converted_model', docString: docString('1.1', seed) });
  standInMetadata(b, '1.1', seed);
  b.input('data', [1, 3, INPUT_SIZE, INPUT_SIZE]);
  const w = new SqueezeNetWriter(b, mxnetNaming, seed, true);
  let [x, s] = w.convRelu('data', { c: 3, h: INPUT_SIZE, w: INPUT_SIZE }, 64, 3, 2, 0, undefined, 'conv1');
  [x, s] = w.body(x, s, FIRES_11, 0);
  w.node('Dropout', 'squeezenet0_dropout0_fwd', [x], ['squeezenet0_dropout0_fwd'], { ratio: attr.float(0.5) });
  [x, s] = w.convRelu('squeezenet0_dropout0_fwd', s, CLASSES, 1, 1, 0, undefined, 'conv10');
  // Gluon's AvgPool2D(13) is a plain 13x13 AveragePool, not GlobalAveragePool; it covers the whole 13x13 map.
  w.node('AveragePool', 'squeezenet0_pool3_fwd', [x], ['squeezenet0_pool3_fwd'], {
    kernel_shape: attr.ints([s.h, s.w]),
    pads: attr.ints([0, 0, 0, 0]),
    strides: attr.ints([s.h, s.w]),
  });
  // Gluon's Flatten was x.reshape((0, -1)): 0 copies the batch dim, so the shape tensor holds a 0.
  b.initializerInt64('reshape_attr_tensor', [2], [0, -1], { asGraphInput: true });
  w.node('Reshape', 'squeezenet0_flatten0_reshape0', ['squeezenet0_pool3_fwd', 'reshape_attr_tensor'], ['squeezenet0_flatten0_reshape0']);
  b.output('squeezenet0_flatten0_reshape0', [1, CLASSES]);
  return { bytes: b.toBytes(), stats: w.stats };
}

function build10(seed: number): { bytes: Uint8Array; stats: SqueezeNetStats } {
  const b = new ModelBuilder({ opset: 9, irVersion: 4, producerName: 'webgpu-classifier stand-in (Caffe2 layout)', graphName: 'squeezenet', docString: docString('1.0', seed) });
  standInMetadata(b, '1.0', seed);
  b.input('data_0', [1, 3, INPUT_SIZE, INPUT_SIZE]);
  const w = new SqueezeNetWriter(b, caffe2Naming, seed, false);
  let [x, s] = w.convRelu('data_0', { c: 3, h: INPUT_SIZE, w: INPUT_SIZE }, 96, 7, 2, 0, undefined, 'conv1');
  // Caffe pools round up (109 -> 54 -> 27 -> 13); opset 9 MaxPool has no ceil_mode, so one end pad stands in for it.
  [x, s] = w.body(x, s, FIRES_10, 1);
  w.node('Dropout', '', [x], ['fire9/concat_2'], { ratio: attr.float(0.5) });
  [x, s] = w.convRelu('fire9/concat_2', s, CLASSES, 1, 1, 0, undefined, 'conv10');
  w.node('GlobalAveragePool', '', [x], ['pool10_1']);
  // Softmax-9 flattens from axis 1, so on 1x1000x1x1 it normalises over the 1000 classes.
  w.node('Softmax', '', ['pool10_1'], ['softmaxout_1'], { axis: attr.int(1) });
  b.output('softmaxout_1', [1, CLASSES, 1, 1]);
  return { bytes: b.toBytes(), stats: w.stats };
}

/** SqueezeNet 1.1 stand-in: input `data` 1x3x224x224, output `squeezenet0_flatten0_reshape0` 1x1000 logits. */
export function buildSqueezeNet11(seed: number = DEFAULT_SEED): Uint8Array {
  return build11(seed).bytes;
}

/** SqueezeNet 1.0 stand-in: input `data_0` 1x3x224x224, output `softmaxout_1` 1x1000x1x1 probabilities. */
export function buildSqueezeNet10(seed: number = DEFAULT_SEED): Uint8Array {
  return build10(seed).bytes;
}

/** The zoo facts of both versions, for the catalog. */
export function squeezeNetSpec(version: SqueezeNetVersion): StandInSpec {
  return version === '1.1'
    ? {
      name: 'squeezenet1.1', file: SQUEEZENET11_FILE, source: 'validated/vision/classification/squeezenet, MXNet Gluon squeezenet1.1',
      opset: 7, irVersion: 3, producer: 'MXNet Gluon', graphName: 'mxnet_converted_model', weightsAsInputs: true,
      input: { name: 'data', dims: [1, 3, INPUT_SIZE, INPUT_SIZE], layout: 'NCHW' }, output: { name: 'squeezenet0_flatten0_reshape0', dims: [1, CLASSES], kind: 'logits' },
    }
    : {
      name: 'squeezenet1.0', file: SQUEEZENET10_FILE, source: 'validated/vision/classification/squeezenet, Caffe2 squeezenet',
      opset: 9, irVersion: 4, producer: 'Caffe2', graphName: 'squeezenet',
      input: { name: 'data_0', dims: [1, 3, INPUT_SIZE, INPUT_SIZE], layout: 'NCHW' }, output: { name: 'softmaxout_1', dims: [1, CLASSES, 1, 1], kind: 'probabilities' },
    };
}

/** A stand-in with its counts, as the catalog builds every model. */
export function buildSqueezeNet(version: SqueezeNetVersion, seed: number = DEFAULT_SEED): { bytes: Uint8Array; stats: NetStats } {
  return (version === '1.1' ? build11 : build10)(seed);
}

/** Parameter, MAC and op counts of a stand-in (independent of the seed). */
export function squeezeNetStats(version: SqueezeNetVersion): SqueezeNetStats {
  return (version === '1.1' ? build11 : build10)(DEFAULT_SEED).stats;
}
