/**
 * @module Stand-ins for the zoo's VGG-16 and VGG-19, with and without batch normalization (vgg16-7.onnx,
 * vgg16-bn-7.onnx, vgg19-7.onnx, vgg19-bn-7.onnx), exported from MXNet Gluon at opset 7, IR version 3.
 * 3x3 convs with biases (and BatchNormalization after each in the -bn files), 2x2 max pools, then three dense
 * layers, each behind its own Flatten, with Dropout between. fc6's weight alone is 4096 x 25088 floats (411 MB).
 */
import { GluonNames, buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import type { NetWriter, Value } from './net-writer.ts';

export type VggDepth = 16 | 19;

const STAGES: Record<VggDepth, readonly number[]> = { 16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4] };
const FILTERS = [64, 128, 256, 512, 512];
const CLASSES = 1000;
const PREFIX = 'vgg0_';
/**
 * The classifier's weight variance times fan-in, tuned on onnxruntime for a logit spread of about 2: with no
 * residual paths and ReLU gain in every layer, the features reach the classifier 8-13 times larger than unit.
 */
const CLASSIFIER_GAIN: Record<VggDepth, { plain: number; bn: number }> = { 16: { plain: 0.067, bn: 0.04 }, 19: { plain: 0.042, bn: 0.023 } };

function body(depth: VggDepth, batchNorm: boolean) {
  return (w: NetWriter, input: Value): Value => {
    const n = new GluonNames(PREFIX);
    const fwd = (kind: string) => `${n.next(kind)}_fwd`;
    let x = input;
    STAGES[depth].forEach((layers, stage) => {
      for (let i = 0; i < layers; i++) {
        const conv = n.next('conv');
        x = w.conv(x, { out: `${conv}_fwd`, node: `${conv}_fwd`, weight: `${conv}_weight`, bias: `${conv}_bias`, channels: FILTERS[stage], kernel: 3, pads: 1, explicitDefaults: true });
        if (batchNorm) {
          const bn = n.next('batchnorm');
          x = w.batchNorm(x, { out: `${bn}_fwd`, node: `${bn}_fwd`, scale: `${bn}_gamma`, bias: `${bn}_beta`, mean: `${bn}_running_mean`, variance: `${bn}_running_var`, momentum: 0.9 });
        }
        const relu = fwd('relu');
        x = w.relu(x, relu, relu);
      }
      const pool = fwd('pool');
      x = w.maxPool(x, { out: pool, node: pool, kernel: 2, stride: 2 });
    });
    const dense = (v: Value, units: number, gain?: number): Value => {
      // Each Dense(flatten=True) got its own Flatten, named by MXNet's global symbol counter.
      const id = `flatten_${Object.values(w.stats.ops).reduce((a, b) => a + b, 0)}`;
      const d = n.next('dense');
      return w.gemm(w.flatten(v, id, id), { out: `${d}_fwd`, node: `${d}_fwd`, weight: `${d}_weight`, bias: `${d}_bias`, units, gain });
    };
    for (let i = 0; i < 2; i++) {
      x = dense(x, 4096);
      const relu = `${PREFIX}dense${i}_relu_fwd`;
      x = w.relu(x, relu, relu);
      const drop = fwd('dropout');
      x = w.dropout(x, drop, { ratio: 0.5, node: drop });
    }
    return dense(x, CLASSES, CLASSIFIER_GAIN[depth][batchNorm ? 'bn' : 'plain']);
  };
}

export function vggSpec(depth: VggDepth, batchNorm: boolean): StandInSpec {
  const name = `vgg${depth}${batchNorm ? '-bn' : ''}`;
  return {
    name,
    file: `${name}-7.onnx`,
    source: `validated/vision/classification/vgg, MXNet Gluon vgg${depth}${batchNorm ? '_bn' : ''}`,
    opset: 7,
    irVersion: 3,
    producer: 'MXNet Gluon',
    graphName: 'mxnet_converted_model',
    input: { name: 'data', dims: [1, 3, 224, 224], layout: 'NCHW' },
    output: { name: `${PREFIX}dense2_fwd`, dims: [1, CLASSES], kind: 'logits' },
    weightsAsInputs: true,
  };
}

export function buildVgg(depth: VggDepth, batchNorm: boolean, options?: BuildOptions): BuiltModel {
  return buildStandIn(vggSpec(depth, batchNorm), body(depth, batchNorm), options);
}
