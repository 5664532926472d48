/**
 * @module Stand-in for the zoo's EfficientNet-Lite4 (efficientnet-lite4-11.onnx), a TensorFlow export by tf2onnx
 * at opset 11. The input is NHWC (`images:0`, 1x224x224x3) and meets a Transpose to NCHW first; TF's "SAME"
 * padding becomes asymmetric pads on the stride-2 convs; BatchNorm is folded into the convs; ReLU6 is Clip with
 * two shared initializer bounds; 30 MBConv blocks without squeeze-excite; the average pool is ReduceMean; the
 * dense layer is MatMul + Add; the output is `Softmax:0`.
 */
import { attr } from './onnx-builder.ts';
import { buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import { LINEAR_GAIN, RELU6_GAIN, type NetWriter, type Pads, type Value } from './net-writer.ts';

/**
 * [kernel, first stride, expansion, output channels, repeats]: EfficientNet-B0's stages at width 1.4 (filters
 * rounded to multiples of 8) and depth 1.8 (repeats rounded up), except that Lite keeps the first and last
 * stage's repeats, the 32-channel stem and the 1280-channel head.
 */
const STAGES: readonly (readonly [number, number, number, number, number])[] = [
  [3, 1, 1, 24, 1], [3, 2, 6, 32, 4], [5, 2, 6, 56, 4], [3, 2, 6, 112, 6], [5, 1, 6, 160, 6], [5, 2, 6, 272, 8], [3, 1, 6, 448, 1],
];
const ROOT = 'efficientnet-lite4/model';
/** The classifier's weight variance times fan-in, tuned on onnxruntime for a softmax top-1 around 0.05-0.5. */
const CLASSIFIER_GAIN = 30;

const SPEC: StandInSpec = {
  name: 'efficientnet-lite4', file: 'efficientnet-lite4-11.onnx', source: 'validated/vision/classification/efficientnet-lite4, TensorFlow via tf2onnx',
  opset: 11, irVersion: 6, producer: 'tf2onnx', graphName: 'tf2onnx',
  input: { name: 'images:0', dims: [1, 224, 224, 3], layout: 'NHWC' }, output: { name: 'Softmax:0', dims: [1, 1000], kind: 'probabilities' },
};

/** TF "SAME": the total padding (out - 1) * stride + kernel - size, the odd pixel at the end. */
function samePads(size: number, kernel: number, stride: number): Pads {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + kernel - size);
  const before = total >> 1;
  return [before, before, total - before, total - before];
}

function body(w: NetWriter, input: Value): Value {
  const relu6Min = w.tensor('const_fold_opt__clip_min', [], () => Float32Array.of(0));
  const relu6Max = w.tensor('const_fold_opt__clip_max', [], () => Float32Array.of(6));
  const conv = (x: Value, scope: string, channels: number, kernel: number, stride: number, group: number, relu6: boolean): Value => {
    const y = w.conv(x, {
      out: `${scope}/Conv2D:0`, node: `${scope}/Conv2D`, weight: `${scope}/Conv2D/weights_fused_bn`, bias: `${scope}/Conv2D/bias_fused_bn`,
      channels, kernel, stride, group, pads: samePads(x.dims[2], kernel, stride), gain: relu6 ? RELU6_GAIN : LINEAR_GAIN,
    });
    return relu6 ? w.clipInputs(y, `${scope}/Relu6:0`, relu6Min, relu6Max, `${scope}/Relu6`) : y;
  };
  let x = w.transpose(input, [0, 3, 1, 2], 'images:0__transpose', 'Transpose__input');
  x = conv(x, `${ROOT}/stem/conv2d`, 32, 3, 2, 1, true);
  let block = 0;
  for (const [kernel, firstStride, expansion, channels, repeats] of STAGES) {
    for (let i = 0; i < repeats; i++) {
      const scope = `${ROOT}/blocks_${block++}`;
      const stride = i === 0 ? firstStride : 1;
      const mid = x.dims[1] * expansion;
      let y = expansion === 1 ? x : conv(x, `${scope}/conv2d`, mid, 1, 1, 1, true);
      y = conv(y, `${scope}/depthwise_conv2d`, mid, kernel, stride, mid, true);
      y = conv(y, `${scope}/conv2d_1`, channels, 1, 1, 1, false);
      x = stride === 1 && x.dims[1] === channels ? w.add(x, y, `${scope}/add:0`, `${scope}/add`) : y;
    }
  }
  x = conv(x, `${ROOT}/head/conv2d`, 1280, 1, 1, 1, true);
  const pooled = `${ROOT}/head/global_average_pooling2d/Mean:0`;
  w.node('ReduceMean', [x.name], [pooled], { axes: attr.ints([2, 3]), keepdims: attr.int(0) }, `${ROOT}/head/global_average_pooling2d/Mean`);
  const logits = w.matMulAdd({ name: pooled, dims: [1, 1280] }, {
    matMulOut: `${ROOT}/head/dense/MatMul:0`, node: `${ROOT}/head/dense/MatMul`, out: `${ROOT}/head/dense/BiasAdd:0`, addNode: `${ROOT}/head/dense/BiasAdd`,
    weight: `${ROOT}/head/dense/kernel:0`, bias: `${ROOT}/head/dense/bias:0`, units: 1000, gain: CLASSIFIER_GAIN,
  });
  return w.softmax(logits, 'Softmax:0', 'Softmax');
}

export const efficientNetLite4Spec = SPEC;

export function buildEfficientNetLite4(options?: BuildOptions): BuiltModel {
  return buildStandIn(SPEC, body, options);
}
