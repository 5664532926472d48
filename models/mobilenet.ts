/**
 * @module Stand-in for the zoo's MobileNetV2 1.0 (mobilenetv2-12.onnx), a PyTorch export at opset 12: inverted
 * residuals (1x1 expand, 3x3 depthwise, linear 1x1 projection, Add where shapes allow), BatchNorm folded into
 * the convs, ReLU6 as Clip with Constant bounds, GlobalAveragePool, and the `x.reshape(x.shape[0], -1)` flatten
 * that tracing writes as Shape -> Gather -> Unsqueeze -> Concat -> Reshape, then Gemm.
 */
import { attr } from './onnx-builder.ts';
import { buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import type { NetWriter, Value } from './net-writer.ts';
import { Torch } from './pytorch.ts';

/** [expansion t, channels c, repeats n, first stride s], from the MobileNetV2 paper's table 2. */
const SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];
/** The classifier's weight variance times fan-in, tuned on onnxruntime for logits within about +-3 (RELU6_GAIN's features are small). */
const CLASSIFIER_GAIN = 400;

const SPEC: StandInSpec = {
  name: 'mobilenetv2', file: 'mobilenetv2-12.onnx', source: 'validated/vision/classification/mobilenet, PyTorch torchvision mobilenet_v2',
  opset: 12, irVersion: 7, producer: 'PyTorch', graphName: 'torch-jit-export',
  input: { name: 'input', dims: ['batch_size', 3, 224, 224], layout: 'NCHW' }, output: { name: 'output', dims: ['batch_size', 1000], kind: 'logits' },
};

/** `x.reshape(x.shape[0], -1)` as the tracer records it: the batch size is read from the tensor at run time. */
export function traceFlatten(t: Torch, x: Value): Value {
  const w = t.w;
  const shape = t.value('Shape');
  w.node('Shape', [x.name], [shape], {}, t.node('Shape'));
  const zero = w.constantInt64(t.value('Constant'), [], [0], t.node('Constant'));
  const batch = t.value('Gather');
  w.node('Gather', [shape, zero], [batch], { axis: attr.int(0) }, t.node('Gather'));
  const unsqueezed = t.value('Unsqueeze');
  w.node('Unsqueeze', [batch], [unsqueezed], { axes: attr.ints([0]) }, t.node('Unsqueeze'));
  const minusOne = w.constantInt64(t.value('Constant'), [1], [-1], t.node('Constant'));
  const target = t.value('Concat');
  w.node('Concat', [unsqueezed, minusOne], [target], { axis: attr.int(0) }, t.node('Concat'));
  return w.reshapeBy(x, target, [x.dims[0], x.dims.slice(1).reduce((a, b) => a * b, 1)], t.value('Reshape'), t.node('Reshape'));
}

function body(w: NetWriter, input: Value): Value {
  const t = new Torch(w, 'numbered');
  let x = t.conv(input, { channels: 32, kernel: 3, stride: 2 }, 'relu6');
  for (const [expansion, channels, repeats, firstStride] of SETTINGS) {
    for (let i = 0; i < repeats; i++) {
      const stride = i === 0 ? firstStride : 1;
      const hidden = x.dims[1] * expansion;
      let y = expansion === 1 ? x : t.conv(x, { channels: hidden, kernel: 1 }, 'relu6');
      y = t.conv(y, { channels: hidden, kernel: 3, stride, group: hidden }, 'relu6');
      y = t.conv(y, { channels, kernel: 1 }, 'none');
      x = stride === 1 && x.dims[1] === channels ? t.add(x, y) : y;
    }
  }
  x = t.conv(x, { channels: 1280, kernel: 1 }, 'relu6');
  x = w.globalAveragePool(x, t.value('GlobalAveragePool'), t.node('GlobalAveragePool'));
  return t.linear(traceFlatten(t, x), 1000, CLASSIFIER_GAIN, { out: 'output', weight: 'classifier.1.weight', bias: 'classifier.1.bias' });
}

export const mobileNetV2Spec = SPEC;

export function buildMobileNetV2(options?: BuildOptions): BuiltModel {
  return buildStandIn(SPEC, body, options);
}
