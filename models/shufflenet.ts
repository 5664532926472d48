/**
 * @module Stand-ins for the zoo's ShuffleNet v1 (shufflenet-9.onnx, Caffe2, 3 groups) and ShuffleNet v2 1.0x
 * (shufflenet-v2-12.onnx, PyTorch). Both shuffle channels the way their exporters wrote ChannelShuffle / view:
 * Reshape to 5-D [N, groups, C/groups, H, W], Transpose [0, 2, 1, 3, 4], Reshape back.
 * v1: grouped 1x1 convs with BatchNormalization, a 3x3 depthwise conv, Sum (Caffe2's residual) or Concat with a
 * 3x3 average-pooled shortcut in the stride-2 units, Softmax at the end.
 * v2: Split of the channels in two in stride-1 units, Concat of the branches, ReduceMean over H and W, Gemm.
 */
import { attr } from './onnx-builder.ts';
import { buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import { Caffe2 } from './caffe2.ts';
import { LINEAR_GAIN, type NetWriter, type Value } from './net-writer.ts';
import { Torch } from './pytorch.ts';

export type ShuffleNetVersion = 1 | 2;

const SPECS: Record<ShuffleNetVersion, StandInSpec> = {
  1: {
    name: 'shufflenet-v1', file: 'shufflenet-9.onnx', source: 'validated/vision/classification/shufflenet, Caffe2 ShuffleNet (g=3)',
    opset: 9, irVersion: 4, producer: 'Caffe2', graphName: 'shufflenet',
    input: { name: 'gpu_0/data_0', dims: [1, 3, 224, 224], layout: 'NCHW' }, output: { name: 'gpu_0/softmax_1', dims: [1, 1000], kind: 'probabilities' },
  },
  2: {
    name: 'shufflenet-v2', file: 'shufflenet-v2-12.onnx', source: 'validated/vision/classification/shufflenet, PyTorch torchvision shufflenet_v2_x1_0',
    opset: 12, irVersion: 7, producer: 'PyTorch', graphName: 'torch-jit-export',
    input: { name: 'input', dims: [1, 3, 224, 224], layout: 'NCHW' }, output: { name: 'output', dims: [1, 1000], kind: 'logits' },
  },
};

/** Reshape-Transpose-Reshape channel shuffle; `shape` names the two shape initializers. */
function channelShuffle(w: NetWriter, x: Value, groups: number, names: { mid: string; out: string; transposed: string; shape5: string; shape4: string }): Value {
  const [n, c, h, wd] = x.dims;
  const split = w.reshape(x, names.shape5, [n, groups, c / groups, h, wd], names.mid);
  const t = w.transpose(split, [0, 2, 1, 3, 4], names.transposed);
  return w.reshape(t, names.shape4, [n, c, h, wd], names.out);
}

const V1_GROUPS = 3;
/** The classifier's weight variance times fan-in, tuned on onnxruntime for a logit spread of about 2. */
const V1_CLASSIFIER_GAIN = 100;
const V1_STAGES: readonly (readonly [number, number])[] = [[240, 4], [480, 8], [960, 4]];

function v1Body(w: NetWriter, input: Value): Value {
  const c = new Caffe2(w, 'gpu_0/');
  const convBn = (x: Value, layer: string, channels: number, kernel: number, stride: number, group: number, gain?: number) =>
    c.bn(c.conv(x, layer, { channels, kernel, stride, pad: kernel >> 1, group, bias: false, gain }), `${layer}_bn`);
  let x = c.relu(convBn(input, 'conv1', 24, 3, 2, 1));
  x = c.pool(x, 'pool1', 'max', 3, 2, 1);
  V1_STAGES.forEach(([channels, units], s) => {
    for (let u = 0; u < units; u++) {
      const p = `gconv${s + 2}_${u}`;
      const stride = u === 0 ? 2 : 1;
      const bottleneck = channels / 4;
      // The paper leaves the very first pointwise conv ungrouped: its input has only 24 channels.
      let y = c.relu(convBn(x, `${p}_1`, bottleneck, 1, 1, s === 0 && u === 0 ? 1 : V1_GROUPS));
      y = channelShuffle(w, y, V1_GROUPS, {
        mid: `gpu_0/${p}_shuffle_reshape_1`, transposed: `gpu_0/${p}_shuffle_transpose_1`, out: `gpu_0/${p}_shuffle_1`,
        shape5: `gpu_0/${p}_shuffle_shape5_0`, shape4: `gpu_0/${p}_shuffle_shape4_0`,
      });
      y = convBn(y, `${p}_dw`, bottleneck, 3, stride, bottleneck);
      // Sum adds the branch's variance to the trunk's 13 times; a small branch keeps the trunk's growth bounded.
      y = convBn(y, `${p}_2`, stride === 2 ? channels - x.dims[1] : channels, 1, 1, V1_GROUPS, stride === 2 ? LINEAR_GAIN : LINEAR_GAIN / 13);
      x = c.relu(stride === 2
        ? c.concat([c.pool(x, `${p}_shortcut_pool`, 'avg', 3, 2, 1), y], `${p}_concat`)
        : w.sum([x, y], `gpu_0/${p}_sum_1`));
    }
  });
  x = c.pool(x, 'pool5', 'avg', 7, 1);
  return c.softmax(c.fc(x, 'fc', 1000, V1_CLASSIFIER_GAIN), 'softmax');
}

const V2_STAGES: readonly (readonly [number, number])[] = [[116, 4], [232, 8], [464, 4]];
/** The classifier's weight variance times fan-in, tuned on onnxruntime for a logit spread of about 2. */
const V2_CLASSIFIER_GAIN = 30;

function v2Body(w: NetWriter, input: Value): Value {
  const t = new Torch(w, 'numbered');
  const shuffle = (x: Value) => channelShuffle(w, x, 2, { shape5: t.weight('Reshape'), mid: t.value('Reshape'), transposed: t.value('Transpose'), shape4: t.weight('Reshape'), out: t.value('Reshape') });
  let x = t.conv(input, { channels: 24, kernel: 3, stride: 2 }, 'relu');
  x = w.maxPool(x, { out: t.value('MaxPool'), node: t.node('MaxPool'), kernel: 3, stride: 2, pads: 1 });
  for (const [channels, units] of V2_STAGES) {
    const half = channels / 2;
    for (let u = 0; u < units; u++) {
      const branch2 = (v: Value, stride: number) => {
        let y = t.conv(v, { channels: half, kernel: 1 }, 'relu');
        y = t.conv(y, { channels: half, kernel: 3, stride, group: half }, 'none');
        return t.conv(y, { channels: half, kernel: 1 }, 'relu');
      };
      let joined: Value[];
      if (u === 0) {
        const b1 = t.conv(t.conv(x, { channels: x.dims[1], kernel: 3, stride: 2, group: x.dims[1] }, 'none'), { channels: half, kernel: 1 }, 'relu');
        joined = [b1, branch2(x, 2)];
      } else {
        // x.chunk(2, dim=1): one Split node with two outputs.
        const [a, b] = [t.value('Split'), t.value('Split')];
        w.node('Split', [x.name], [a, b], { axis: attr.int(1), split: attr.ints([half, half]) }, t.node('Split'));
        const dims = [x.dims[0], half, x.dims[2], x.dims[3]];
        joined = [{ name: a, dims }, branch2({ name: b, dims }, 1)];
      }
      x = shuffle(w.concat(joined, t.value('Concat'), t.node('Concat')));
    }
  }
  x = t.conv(x, { channels: 1024, kernel: 1 }, 'relu');
  // x.mean([2, 3]) keeps no singleton dims: [N, 1024].
  const pooled = t.value('ReduceMean');
  w.node('ReduceMean', [x.name], [pooled], { axes: attr.ints([2, 3]), keepdims: attr.int(0) }, t.node('ReduceMean'));
  return t.linear({ name: pooled, dims: [x.dims[0], x.dims[1]] }, 1000, V2_CLASSIFIER_GAIN, { out: 'output', weight: 'fc.weight', bias: 'fc.bias' });
}

export function shuffleNetSpec(version: ShuffleNetVersion): StandInSpec {
  return SPECS[version];
}

export function buildShuffleNet(version: ShuffleNetVersion, options?: BuildOptions): BuiltModel {
  return buildStandIn(SPECS[version], version === 1 ? v1Body : v2Body, options);
}
