/**
 * @module Stand-ins for the zoo's GoogLeNet (googlenet-12.onnx) and Inception v1 (inception-v1-9.onnx), both Caffe2
 * exports of the BVLC GoogLeNet topology: nine inception modules (1x1 | 1x1-3x3 | 1x1-5x5 | 3x3 max pool-1x1,
 * joined by Concat), LRN after the stem, Caffe's round-up pooling as end padding, a 7x7 AveragePool, Dropout 0.4,
 * an OC2_DUMMY Reshape, Gemm and Softmax.
 */
import { buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import { Caffe2 } from './caffe2.ts';
import type { NetWriter, Value } from './net-writer.ts';

export type GoogLeNetVariant = 'googlenet' | 'inception-v1';

/** [1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection] output channels of each module. */
type Module = readonly [number, number, number, number, number, number];

const MODULES: readonly (readonly [string, Module] | 'pool')[] = [
  ['3a', [64, 96, 128, 16, 32, 32]], ['3b', [128, 128, 192, 32, 96, 64]], 'pool',
  ['4a', [192, 96, 208, 16, 48, 64]], ['4b', [160, 112, 224, 24, 64, 64]], ['4c', [128, 128, 256, 24, 64, 64]],
  ['4d', [112, 144, 288, 32, 64, 64]], ['4e', [256, 160, 320, 32, 128, 128]], 'pool',
  ['5a', [256, 160, 320, 32, 128, 128]], ['5b', [384, 192, 384, 48, 128, 128]],
];

const SPECS: Record<GoogLeNetVariant, StandInSpec> = {
  googlenet: {
    name: 'googlenet', file: 'googlenet-12.onnx', source: 'validated/vision/classification/inception_and_googlenet/googlenet, Caffe2 (BVLC GoogLeNet)',
    opset: 12, irVersion: 7, producer: 'Caffe2', graphName: 'googlenet',
    input: { name: 'data_0', dims: [1, 3, 224, 224], layout: 'NCHW' }, output: { name: 'prob_1', dims: [1, 1000], kind: 'probabilities' },
  },
  'inception-v1': {
    name: 'inception-v1', file: 'inception-v1-9.onnx', source: 'validated/vision/classification/inception_and_googlenet/inception_v1, Caffe2',
    opset: 9, irVersion: 4, producer: 'Caffe2', graphName: 'inception_v1',
    input: { name: 'data_0', dims: [1, 3, 224, 224], layout: 'NCHW' }, output: { name: 'prob_1', dims: [1, 1000], kind: 'probabilities' },
  },
};

function inception(c: Caffe2, x: Value, name: string, m: Module): Value {
  const p = `inception_${name}`;
  const convRelu = (v: Value, layer: string, channels: number, kernel: number) => c.relu(c.conv(v, `${p}/${layer}`, { channels, kernel, pad: kernel >> 1 }));
  const b1 = convRelu(x, '1x1', m[0], 1);
  const b3 = convRelu(convRelu(x, '3x3_reduce', m[1], 1), '3x3', m[2], 3);
  const b5 = convRelu(convRelu(x, '5x5_reduce', m[3], 1), '5x5', m[4], 5);
  const bp = convRelu(c.pool(x, `${p}/pool`, 'max', 3, 1, 1, true), 'pool_proj', m[5], 1);
  return c.concat([b1, b3, b5, bp], `${p}/output`);
}

function body(spec: StandInSpec) {
  return (w: NetWriter, input: Value): Value => {
    const c = new Caffe2(w);
    let x = c.relu(c.conv(input, 'conv1/7x7_s2', { channels: 64, kernel: 7, stride: 2, pad: 3 }));
    x = c.lrn(c.pool(x, 'pool1/3x3_s2', 'max', 3, 2, 0, true), 'pool1/norm1');
    x = c.relu(c.conv(x, 'conv2/3x3_reduce', { channels: 64, kernel: 1 }));
    x = c.lrn(c.relu(c.conv(x, 'conv2/3x3', { channels: 192, kernel: 3, pad: 1 })), 'conv2/norm2');
    x = c.pool(x, 'pool2/3x3_s2', 'max', 3, 2, 0, true);
    let pools = 3;
    for (const m of MODULES) x = m === 'pool' ? c.pool(x, `pool${pools++}/3x3_s2`, 'max', 3, 2, 0, true) : inception(c, x, m[0], m[1]);
    x = c.pool(x, 'pool5/7x7_s1', 'avg', 7, 1);
    x = c.w.dropout(x, 'pool5/7x7_s1_2', { ratio: spec.opset < 12 ? 0.4 : undefined, mask: '_pool5/drop_7x7_s1_mask_1' });
    return c.softmax(c.fc(x, 'loss3/classifier', 1000), 'prob');
  };
}

export function googLeNetSpec(variant: GoogLeNetVariant): StandInSpec {
  return SPECS[variant];
}

export function buildGoogLeNet(variant: GoogLeNetVariant, options?: BuildOptions): BuiltModel {
  return buildStandIn(SPECS[variant], body(SPECS[variant]), options);
}
