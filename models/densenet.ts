/**
 * @module Stand-in for the zoo's DenseNet-121 (densenet-12.onnx), a Caffe2 export of the Caffe DenseNet: pre-
 * activation layers (BatchNormalization and ReLU before each conv, so no BN folds into a conv), each layer's 32
 * new channels joined to all earlier ones by a Concat, 1x1 conv + 2x2 average pool transitions, Caffe's round-up
 * pooling (56 -> 57 -> 29 -> 15 -> 8), GlobalAveragePool and a 1x1 conv classifier (output 1x1000x1x1 logits).
 */
import { buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import { Caffe2 } from './caffe2.ts';
import type { NetWriter, Value } from './net-writer.ts';

const BLOCKS = [6, 12, 24, 16];
const GROWTH = 32;

const SPEC: StandInSpec = {
  name: 'densenet121', file: 'densenet-12.onnx', source: 'validated/vision/classification/densenet-121, Caffe2 (Caffe DenseNet-121)',
  opset: 12, irVersion: 7, producer: 'Caffe2', graphName: 'densenet121',
  input: { name: 'data_0', dims: [1, 3, 224, 224], layout: 'NCHW' }, output: { name: 'fc6_1', dims: [1, 1000, 1, 1], kind: 'logits' },
};

/** BN + ReLU, the pre-activation every conv after the stem gets. */
function bnRelu(c: Caffe2, x: Value, bn: string): Value {
  return c.relu(c.bn(x, bn));
}

function body(w: NetWriter, input: Value): Value {
  const c = new Caffe2(w);
  let x = bnRelu(c, c.conv(input, 'conv1', { channels: 64, kernel: 7, stride: 2, pad: 3, bias: false }), 'conv1/bn');
  x = c.pool(x, 'pool1', 'max', 3, 2, 1, true);
  BLOCKS.forEach((layers, b) => {
    const stage = b + 2;
    for (let i = 1; i <= layers; i++) {
      const p = `conv${stage}_${i}`;
      let y = c.conv(bnRelu(c, x, `${p}/x1/bn`), `${p}/x1`, { channels: 4 * GROWTH, kernel: 1, bias: false });
      y = c.conv(bnRelu(c, y, `${p}/x2/bn`), `${p}/x2`, { channels: GROWTH, kernel: 3, pad: 1, bias: false });
      x = c.concat([x, y], `concat_${stage}_${i}`);
    }
    if (stage < 5) {
      x = c.conv(bnRelu(c, x, `conv${stage}_blk/bn`), `conv${stage}_blk`, { channels: x.dims[1] / 2, kernel: 1, bias: false });
      x = c.pool(x, `pool${stage}`, 'avg', 2, 2, 0, true);
    }
  });
  x = w.globalAveragePool(bnRelu(c, x, 'conv5_blk/bn'), 'pool5_1');
  return c.conv(x, 'fc6', { channels: 1000, kernel: 1, gain: 2 });
}

export const denseNetSpec = SPEC;

export function buildDenseNet(options?: BuildOptions): BuiltModel {
  return buildStandIn(SPEC, body, options);
}
