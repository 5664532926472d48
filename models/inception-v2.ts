/**
 * @module Stand-in for the zoo's Inception v2 (inception-v2-9.onnx), a Caffe2 export of BN-Inception: every conv
 * bias-free and followed by BatchNormalization and ReLU, 5x5 branches as two 3x3 convs, average-pool projections
 * (max in the last module), two stride-2 reduction modules, Caffe's round-up pooling, Gemm and Softmax.
 */
import { buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import { Caffe2 } from './caffe2.ts';
import type { NetWriter, Value } from './net-writer.ts';

/** [1x1, 3x3 reduce, 3x3, double 3x3 reduce, double 3x3, pool kind, pool projection]; 0 marks an absent branch. */
type Module = readonly [number, number, number, number, number, 'avg' | 'max', number];

const MODULES: readonly (readonly [string, Module, 1 | 2])[] = [
  ['3a', [64, 64, 64, 64, 96, 'avg', 32], 1], ['3b', [64, 64, 96, 64, 96, 'avg', 64], 1], ['3c', [0, 128, 160, 64, 96, 'max', 0], 2],
  ['4a', [224, 64, 96, 96, 128, 'avg', 128], 1], ['4b', [192, 96, 128, 96, 128, 'avg', 128], 1], ['4c', [160, 128, 160, 128, 160, 'avg', 128], 1],
  ['4d', [96, 128, 192, 160, 192, 'avg', 128], 1], ['4e', [0, 128, 192, 192, 256, 'max', 0], 2],
  ['5a', [352, 192, 320, 160, 224, 'avg', 128], 1], ['5b', [352, 192, 320, 192, 224, 'max', 128], 1],
];

const SPEC: StandInSpec = {
  name: 'inception-v2', file: 'inception-v2-9.onnx', source: 'validated/vision/classification/inception_and_googlenet/inception_v2, Caffe2 (BN-Inception)',
  opset: 9, irVersion: 4, producer: 'Caffe2', graphName: 'inception_v2',
  input: { name: 'data_0', dims: [1, 3, 224, 224], layout: 'NCHW' }, output: { name: 'prob_1', dims: [1, 1000], kind: 'probabilities' },
};

function convBnRelu(c: Caffe2, x: Value, layer: string, channels: number, kernel: number, stride = 1): Value {
  return c.relu(c.bn(c.conv(x, layer, { channels, kernel, stride, pad: kernel >> 1, bias: false }), `${layer}_bn`));
}

function inception(c: Caffe2, x: Value, name: string, m: Module, stride: 1 | 2): Value {
  const p = `inception_${name}`;
  const branches: Value[] = [];
  if (m[0]) branches.push(convBnRelu(c, x, `${p}/1x1`, m[0], 1));
  branches.push(convBnRelu(c, convBnRelu(c, x, `${p}/3x3_reduce`, m[1], 1), `${p}/3x3`, m[2], 3, stride));
  const d = convBnRelu(c, convBnRelu(c, x, `${p}/double_3x3_reduce`, m[3], 1), `${p}/double_3x3_1`, m[4], 3);
  branches.push(convBnRelu(c, d, `${p}/double_3x3_2`, m[4], 3, stride));
  const pool = c.pool(x, `${p}/pool`, m[5], 3, stride, stride === 1 ? 1 : 0, true);
  branches.push(m[6] ? convBnRelu(c, pool, `${p}/pool_proj`, m[6], 1) : pool);
  return c.concat(branches, `${p}/output`);
}

function body(w: NetWriter, input: Value): Value {
  const c = new Caffe2(w);
  let x = convBnRelu(c, input, 'conv1/7x7_s2', 64, 7, 2);
  x = c.pool(x, 'pool1/3x3_s2', 'max', 3, 2, 0, true);
  x = convBnRelu(c, convBnRelu(c, x, 'conv2/3x3_reduce', 64, 1), 'conv2/3x3', 192, 3);
  x = c.pool(x, 'pool2/3x3_s2', 'max', 3, 2, 0, true);
  for (const [name, m, stride] of MODULES) x = inception(c, x, name, m, stride);
  x = c.pool(x, 'pool5/7x7_s1', 'avg', 7, 1);
  return c.softmax(c.fc(x, 'fc', 1000, 0.4), 'prob');
}

export const inceptionV2Spec = SPEC;

export function buildInceptionV2(options?: BuildOptions): BuiltModel {
  return buildStandIn(SPEC, body, options);
}
