/**
 * @module Stand-ins for the zoo's ResNet v1 and v2, 18 to 152 layers (resnet50-v1-7.onnx and kin), exported from
 * MXNet Gluon at opset 7, IR version 3: bias-free convs each followed by BatchNormalization, an Add per block,
 * Flatten + Gemm at the end, Gluon's per-stage counters in every name, weights also listed as graph inputs.
 * v1 (post-activation): conv-BN-ReLU, Add then ReLU; the bottleneck's stride sits on its first 1x1 conv.
 * v2 (pre-activation): BN-ReLU before each conv, so BatchNormalization also follows Adds and the input image
 * (standalone, nothing to fold into); the stride sits on the 3x3 conv.
 */
import { GluonNames, buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import { LINEAR_GAIN, type NetWriter, type Value } from './net-writer.ts';

export type ResNetDepth = 18 | 34 | 50 | 101 | 152;

const LAYERS: Record<ResNetDepth, readonly number[]> = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3] };
const bottleneck = (depth: ResNetDepth) => depth >= 50;
const CLASSES = 1000;
/** Gluon numbered each network it built; the zoo's files were built in this order (resnetv15 ... resnetv26). */
const PREFIX: Record<1 | 2, Record<ResNetDepth, string>> = {
  1: { 18: 'resnetv15_', 34: 'resnetv16_', 50: 'resnetv17_', 101: 'resnetv18_', 152: 'resnetv19_' },
  2: { 18: 'resnetv22_', 34: 'resnetv23_', 50: 'resnetv24_', 101: 'resnetv25_', 152: 'resnetv26_' },
};
/**
 * The classifier's weight variance times fan-in, tuned on onnxruntime so the logits' spread is about 2 on unit
 * noise (softmax top-1 around 0.02-0.2): the pooled features' scale differs by depth and version.
 */
const CLASSIFIER_GAIN: Record<1 | 2, Record<ResNetDepth, number>> = {
  1: { 18: 110, 34: 145, 50: 280, 101: 255, 152: 190 },
  2: { 18: 140, 34: 300, 50: 600, 101: 625, 152: 730 },
};

/** Gluon layer helpers over one name scope. */
class Gluon {
  constructor(
    readonly w: NetWriter,
    readonly names: GluonNames,
  ) {}

  conv(x: Value, channels: number, kernel: number, stride: number, gain?: number): Value {
    const p = this.names.next('conv');
    return this.w.conv(x, { out: `${p}_fwd`, node: `${p}_fwd`, weight: `${p}_weight`, channels, kernel, stride, pads: kernel >> 1, gain, explicitDefaults: true });
  }

  bn(x: Value, options: { gammaScale?: number; identityAffine?: boolean } = {}): Value {
    const p = this.names.next('batchnorm');
    return this.w.batchNorm(x, { out: `${p}_fwd`, node: `${p}_fwd`, scale: `${p}_gamma`, bias: `${p}_beta`, mean: `${p}_running_mean`, variance: `${p}_running_var`, epsilon: 1e-5, momentum: 0.9, ...options });
  }

  relu(x: Value, kind = 'relu'): Value {
    const p = this.names.next(kind);
    return this.w.relu(x, `${p}_fwd`, `${p}_fwd`);
  }

  plus(a: Value, b: Value): Value {
    // MXNet's auto-name for `a + b` is `_plus<i>` under the scope's prefix: `resnetv17_stage1__plus0`.
    const p = this.names.next('_plus');
    return this.w.add(a, b, p, p);
  }
}

function v1Block(g: Gluon, x: Value, channels: number, stride: number, downsample: boolean, deep: boolean, branchGamma: number): Value {
  let y: Value;
  if (deep) {
    y = g.relu(g.bn(g.conv(x, channels / 4, 1, stride)));
    y = g.relu(g.bn(g.conv(y, channels / 4, 3, 1)));
    y = g.bn(g.conv(y, channels, 1, 1), { gammaScale: branchGamma });
  } else {
    y = g.relu(g.bn(g.conv(x, channels, 3, stride)));
    y = g.bn(g.conv(y, channels, 3, 1), { gammaScale: branchGamma });
  }
  const shortcut = downsample ? g.bn(g.conv(x, channels, 1, stride, LINEAR_GAIN)) : x;
  return g.relu(g.plus(y, shortcut), 'activation');
}

function v2Block(g: Gluon, x: Value, channels: number, stride: number, downsample: boolean, deep: boolean, branchGain: number): Value {
  const pre = g.relu(g.bn(x));
  const shortcut = downsample ? g.conv(pre, channels, 1, stride, LINEAR_GAIN) : x;
  let y: Value;
  if (deep) {
    y = g.relu(g.bn(g.conv(pre, channels / 4, 1, 1)));
    y = g.relu(g.bn(g.conv(y, channels / 4, 3, stride)));
    y = g.conv(y, channels, 1, 1, branchGain);
  } else {
    y = g.relu(g.bn(g.conv(pre, channels, 3, stride)));
    y = g.conv(y, channels, 3, 1, branchGain);
  }
  return g.plus(y, shortcut);
}

function classifier(w: NetWriter, x: Value, version: 1 | 2, depth: ResNetDepth): Value {
  const prefix = PREFIX[version][depth];
  // The Dense layer's own Flatten took MXNet's global symbol counter (`flatten_473` in resnet50-v1-7).
  const id = `flatten_${Object.values(w.stats.ops).reduce((a, b) => a + b, 0)}`;
  const flat = w.flatten(x, id, id);
  return w.gemm(flat, { out: `${prefix}dense0_fwd`, node: `${prefix}dense0_fwd`, weight: `${prefix}dense0_weight`, bias: `${prefix}dense0_bias`, units: CLASSES, gain: CLASSIFIER_GAIN[version][depth] });
}

function body(version: 1 | 2, depth: ResNetDepth) {
  return (w: NetWriter, input: Value): Value => {
    const prefix = PREFIX[version][depth];
    const top = new Gluon(w, new GluonNames(prefix));
    const deep = bottleneck(depth);
    const widths = deep ? [64, 256, 512, 1024, 2048] : [64, 64, 128, 256, 512];
    const blocks = LAYERS[depth].reduce((a, b) => a + b, 0);
    let x = input;
    if (version === 2) x = top.bn(x, { identityAffine: true });
    x = top.conv(x, 64, 7, 2);
    x = top.relu(top.bn(x));
    const pool = top.names.next('pool');
    x = w.maxPool(x, { out: `${pool}_fwd`, node: `${pool}_fwd`, kernel: 3, stride: 2, pads: 1 });
    let inChannels = widths[0];
    LAYERS[depth].forEach((count, i) => {
      const g = new Gluon(w, new GluonNames(`${prefix}stage${i + 1}_`));
      const channels = widths[i + 1];
      for (let k = 0; k < count; k++) {
        const stride = k === 0 && i > 0 ? 2 : 1;
        const downsample = k === 0 && (stride !== 1 || channels !== inChannels);
        // A residual branch adds its variance to the trunk's at every block; scaling each branch by 1/blocks
        // bounds the trunk's growth to about e over the whole network, so even ResNet-152's logits stay sane.
        x = version === 1
          ? v1Block(g, x, channels, stride, downsample, deep, Math.sqrt(1 / blocks))
          : v2Block(g, x, channels, stride, downsample, deep, LINEAR_GAIN / blocks);
      }
      inChannels = channels;
    });
    if (version === 2) x = top.relu(top.bn(x));
    const gap = top.names.next('pool');
    x = w.globalAveragePool(x, `${gap}_fwd`, `${gap}_fwd`);
    if (version === 2) {
      const f = top.names.next('flatten');
      x = w.flatten(x, `${f}_flatten0`, `${f}_flatten0`);
    }
    return classifier(w, x, version, depth);
  };
}

export function resnetSpec(version: 1 | 2, depth: ResNetDepth): StandInSpec {
  return {
    name: `resnet${depth}-v${version}`,
    file: `resnet${depth}-v${version}-7.onnx`,
    source: `validated/vision/classification/resnet, MXNet Gluon resnet${depth}_v${version}`,
    opset: 7,
    irVersion: 3,
    producer: 'MXNet Gluon',
    graphName: 'mxnet_converted_model',
    input: { name: 'data', dims: ['N', 3, 224, 224], layout: 'NCHW' },
    output: { name: `${PREFIX[version][depth]}dense0_fwd`, dims: ['N', CLASSES], kind: 'logits' },
    weightsAsInputs: true,
  };
}

export function buildResNet(version: 1 | 2, depth: ResNetDepth, options?: BuildOptions): BuiltModel {
  return buildStandIn(resnetSpec(version, depth), body(version, depth), options);
}
