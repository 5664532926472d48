/**
 * @module Stand-in for MNASNet 1.0 from the zoo's torch-hub collection (mnasnet1_0_Opset18.onnx), a torch 2.x
 * export at opset 18: scoped node names, BatchNorm folded into the convs, 3x3 and 5x5 depthwise inverted
 * residuals with Add, and `x.mean([2, 3])` as ReduceMean-18, whose axes are an input (a Constant node), then Gemm.
 */
import { attr } from './onnx-builder.ts';
import { buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import type { NetWriter, Value } from './net-writer.ts';
import { Torch } from './pytorch.ts';

/** [output channels, kernel, first stride, expansion, repeats] of torchvision's six stacks for width 1.0. */
const STACKS: readonly (readonly [number, number, number, number, number])[] = [
  [24, 3, 2, 3, 3], [40, 5, 2, 3, 3], [80, 5, 2, 6, 3], [96, 3, 1, 6, 2], [192, 5, 2, 6, 4], [320, 3, 1, 6, 1],
];
/** The classifier's weight variance times fan-in, tuned on onnxruntime for a logit spread of about 2. */
const CLASSIFIER_GAIN = 0.008;

const SPEC: StandInSpec = {
  name: 'mnasnet1.0', file: 'mnasnet1_0_Opset18.onnx', source: 'Computer_Vision/mnasnet1_0_Opset18_torch_hub, PyTorch torchvision mnasnet1_0',
  opset: 18, irVersion: 8, producer: 'PyTorch', graphName: 'main_graph',
  input: { name: 'x', dims: [1, 3, 224, 224], layout: 'NCHW' }, output: { name: 'output', dims: [1, 1000], kind: 'logits' },
};

function body(w: NetWriter, input: Value): Value {
  const t = new Torch(w, 'scoped');
  let layer = 0;
  const scope = () => `layers/layers.${layer++}`;
  let x = t.conv(input, { channels: 32, kernel: 3, stride: 2, scope: scope() }, 'relu');
  x = t.conv(x, { channels: 32, kernel: 3, group: 32, scope: scope() }, 'relu');
  x = t.conv(x, { channels: 16, kernel: 1, scope: scope() }, 'none');
  for (const [channels, kernel, firstStride, expansion, repeats] of STACKS) {
    const stack = scope();
    for (let i = 0; i < repeats; i++) {
      const s = `${stack}/layers.${stack.split('.')[1]}.${i}`;
      const stride = i === 0 ? firstStride : 1;
      const mid = x.dims[1] * expansion;
      let y = t.conv(x, { channels: mid, kernel: 1, scope: s }, 'relu');
      y = t.conv(y, { channels: mid, kernel, stride, group: mid, scope: s }, 'relu');
      y = t.conv(y, { channels, kernel: 1, scope: s }, 'none');
      x = stride === 1 && x.dims[1] === channels ? t.add(x, y, s) : y;
    }
  }
  x = t.conv(x, { channels: 1280, kernel: 1, scope: scope() }, 'relu');
  const axes = w.constantInt64(t.value('Constant'), [2], [2, 3], t.node('Constant'));
  const pooled = t.value('ReduceMean');
  w.node('ReduceMean', [x.name, axes], [pooled], { keepdims: attr.int(0) }, t.node('ReduceMean'));
  return t.linear({ name: pooled, dims: [x.dims[0], x.dims[1]] }, 1000, CLASSIFIER_GAIN, { out: 'output', weight: 'classifier.1.weight', bias: 'classifier.1.bias' });
}

export const mnasNetSpec = SPEC;

export function buildMnasNet(options?: BuildOptions): BuiltModel {
  return buildStandIn(SPEC, body, options);
}
