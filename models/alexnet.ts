/**
 * @module Stand-ins for the zoo's AlexNet family, all Caffe2 exports: BVLC AlexNet (bvlcalexnet-12.onnx), BVLC
 * CaffeNet (caffenet-12.onnx: pooling before normalization), R-CNN ILSVRC13 (rcnn-ilsvrc13-9.onnx: CaffeNet with a
 * 200-class detector head and no Softmax) and ZFNet-512 (zfnet512-9.onnx: 7x7/2 and 5x5/2 convs, Caffe2's own
 * round-down pooling, every blob under `gpu_0/`). Grouped convs (group 2) as in the original two-GPU AlexNet, LRN
 * after the first two convs, FC layers as Gemm behind an OC2_DUMMY Reshape, Dropout with mask outputs.
 */
import { buildStandIn, type BuildOptions, type BuiltModel, type StandInSpec } from './stand-in.ts';
import { Caffe2 } from './caffe2.ts';
import type { NetWriter, Value } from './net-writer.ts';

export type AlexNetVariant = 'alexnet' | 'caffenet' | 'rcnn' | 'zfnet512';

const caffe2Spec = (name: string, file: string, folder: string, opset: number, input: string, output: string, classes: number, kind: 'logits' | 'probabilities'): StandInSpec => ({
  name, file, source: `validated/vision/classification/${folder}, Caffe2`, opset, irVersion: opset >= 12 ? 7 : 4, producer: 'Caffe2', graphName: name,
  input: { name: input, dims: [1, 3, 224, 224], layout: 'NCHW' },
  output: { name: output, dims: [1, classes], kind },
});

const SPECS: Record<AlexNetVariant, StandInSpec> = {
  alexnet: caffe2Spec('alexnet', 'bvlcalexnet-12.onnx', 'alexnet', 12, 'data_0', 'prob_1', 1000, 'probabilities'),
  caffenet: caffe2Spec('caffenet', 'caffenet-12.onnx', 'caffenet', 12, 'data_0', 'prob_1', 1000, 'probabilities'),
  rcnn: caffe2Spec('rcnn-ilsvrc13', 'rcnn-ilsvrc13-9.onnx', 'rcnn_ilsvrc13', 9, 'data_0', 'fc-rcnn_1', 200, 'logits'),
  zfnet512: caffe2Spec('zfnet512', 'zfnet512-9.onnx', 'zfnet-512', 9, 'gpu_0/data_0', 'gpu_0/softmax_1', 1000, 'probabilities'),
};

/** fc6 and fc7 with ReLU and Dropout, then the classifier layer. */
function head(c: Caffe2, x: Value, opset: number, classifier: string, classes: number): Value {
  for (const fc of ['fc6', 'fc7']) x = c.dropout(c.relu(c.fc(x, fc, 4096)), fc, 0.5, opset);
  // The default gain (RELU_GAIN) already spreads these logits by about 2-3 on unit noise.
  return c.fc(x, classifier, classes);
}

function alexBody(variant: 'alexnet' | 'caffenet' | 'rcnn', spec: StandInSpec) {
  return (w: NetWriter, input: Value): Value => {
    const c = new Caffe2(w);
    // AlexNet normalizes then pools; CaffeNet (and R-CNN, built on it) pools then normalizes.
    const normPool = (x: Value, i: number) => (variant === 'alexnet'
      ? c.pool(c.lrn(x, `norm${i}`), `pool${i}`, 'max', 3, 2, 0, true)
      : c.lrn(c.pool(x, `pool${i}`, 'max', 3, 2, 0, true), `norm${i}`));
    let x = normPool(c.relu(c.conv(input, 'conv1', { channels: 96, kernel: 11, stride: 4 })), 1);
    x = normPool(c.relu(c.conv(x, 'conv2', { channels: 256, kernel: 5, pad: 2, group: 2 })), 2);
    x = c.relu(c.conv(x, 'conv3', { channels: 384, kernel: 3, pad: 1 }));
    x = c.relu(c.conv(x, 'conv4', { channels: 384, kernel: 3, pad: 1, group: 2 }));
    x = c.relu(c.conv(x, 'conv5', { channels: 256, kernel: 3, pad: 1, group: 2 }));
    x = c.pool(x, 'pool5', 'max', 3, 2, 0, true);
    if (variant === 'rcnn') return head(c, x, spec.opset, 'fc-rcnn', 200);
    return c.softmax(head(c, x, spec.opset, 'fc8', 1000), 'prob');
  };
}

/**
 * ZFNet-512: conv3-5 are 512, 1024 and 512 wide and pool5 leaves 5x5 (Caffe2 pools round down), which gives the
 * zoo file's size (about 84.5 M parameters, 341 MB).
 */
function zfBody(spec: StandInSpec) {
  return (w: NetWriter, input: Value): Value => {
    const c = new Caffe2(w, 'gpu_0/');
    let x = c.relu(c.conv(input, 'conv1', { channels: 96, kernel: 7, stride: 2, pad: 1 }));
    x = c.pool(c.lrn(x, 'norm1'), 'pool1', 'max', 3, 2);
    x = c.relu(c.conv(x, 'conv2', { channels: 256, kernel: 5, stride: 2 }));
    x = c.pool(c.lrn(x, 'norm2'), 'pool2', 'max', 3, 2);
    x = c.relu(c.conv(x, 'conv3', { channels: 512, kernel: 3, pad: 1 }));
    x = c.relu(c.conv(x, 'conv4', { channels: 1024, kernel: 3, pad: 1 }));
    x = c.relu(c.conv(x, 'conv5', { channels: 512, kernel: 3, pad: 1 }));
    x = c.pool(x, 'pool5', 'max', 3, 2);
    return c.softmax(head(c, x, spec.opset, 'fc8', 1000), 'softmax');
  };
}

export function alexNetSpec(variant: AlexNetVariant): StandInSpec {
  return SPECS[variant];
}

export function buildAlexNet(variant: AlexNetVariant, options?: BuildOptions): BuiltModel {
  const spec = SPECS[variant];
  return buildStandIn(spec, variant === 'zfnet512' ? zfBody(spec) : alexBody(variant, spec), options);
}
