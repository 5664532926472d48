/**
 * @module How the Caffe2 exporter wrote layers (the zoo's AlexNet, CaffeNet, R-CNN, ZFNet-512, GoogLeNet,
 * Inception, DenseNet and ShuffleNet v1 files): blob names from the prototxt with SSA suffixes (`conv1_w_0` for a
 * parameter, `conv1_1` after the first write, `conv1_2` after the in-place ReLU), unnamed nodes, Dropout with its
 * mask output, a Reshape by an `OC2_DUMMY_<n>` shape before a fully connected layer on a 4-D blob, and Caffe's
 * round-up pooling written as extra end padding.
 */
import type { NetWriter, Pads, Value } from './net-writer.ts';

/** `conv1_1` -> `conv1_2`: the name an in-place op gives its output. */
function bump(name: string): string {
  const m = /_(\d+)$/.exec(name);
  if (!m) throw new Error(`${name} has no SSA suffix`);
  return `${name.slice(0, m.index)}_${Number(m[1]) + 1}`;
}

/**
 * Caffe's pooled size rounds up (and drops a window that would start in the padding); ONNX before opset 10 rounds
 * down, so the exporter added the difference as end padding. Returns [top, left, bottom, right].
 */
export function caffeCeilPads(size: number, kernel: number, stride: number, pad: number): [number, number, number, number] {
  let out = Math.ceil((size + 2 * pad - kernel) / stride) + 1;
  if ((out - 1) * stride >= size + pad) out--;
  const extra = Math.max(0, (out - 1) * stride + kernel - (size + 2 * pad));
  return [pad, pad, pad + extra, pad + extra];
}

export interface Caffe2ConvOptions {
  channels: number;
  kernel: number;
  stride?: number;
  pad?: number;
  group?: number;
  gain?: number;
  bias?: boolean;
}

export class Caffe2 {
  private dummies = 0;

  /** `prefix` is Caffe2's device scope, `gpu_0/` in files saved from a multi-GPU run. */
  constructor(
    readonly w: NetWriter,
    readonly prefix = '',
  ) {}

  conv(x: Value, layer: string, o: Caffe2ConvOptions): Value {
    const p = `${this.prefix}${layer}`;
    return this.w.conv(x, {
      out: `${p}_1`, weight: `${p}_w_0`, bias: o.bias === false ? undefined : `${p}_b_0`,
      channels: o.channels, kernel: o.kernel, stride: o.stride, pads: o.pad ?? 0, group: o.group, gain: o.gain, explicitDefaults: true,
    });
  }

  /** In place: the blob keeps its name with the next suffix. */
  relu(x: Value): Value {
    return this.w.relu(x, bump(x.name));
  }

  /** SpatialBN with Caffe2's parameter names (`_s`, `_b`, `_rm`, `_riv`). */
  bn(x: Value, layer: string, gammaScale?: number): Value {
    const p = `${this.prefix}${layer}`;
    return this.w.batchNorm(x, { out: `${p}_1`, scale: `${p}_s_0`, bias: `${p}_b_0`, mean: `${p}_rm_0`, variance: `${p}_riv_0`, epsilon: 1e-5, gammaScale });
  }

  /** `ceil`: a pool translated from Caffe, whose sizes round up. */
  pool(x: Value, layer: string, kind: 'max' | 'avg', kernel: number, stride: number, pad = 0, ceil = false): Value {
    const pads: Pads = ceil ? caffeCeilPads(x.dims[2], kernel, stride, pad) : pad;
    const spec = { out: `${this.prefix}${layer}_1`, kernel, stride, pads };
    return kind === 'max' ? this.w.maxPool(x, spec) : this.w.averagePool(x, spec);
  }

  lrn(x: Value, layer: string): Value {
    return this.w.lrn(x, `${this.prefix}${layer}_1`);
  }

  concat(xs: readonly Value[], layer: string): Value {
    return this.w.concat(xs, `${this.prefix}${layer}_1`);
  }

  /** FC: Gemm with transB; a 4-D input is first reshaped to [N, C*H*W] by an int64 `OC2_DUMMY` initializer. */
  fc(x: Value, layer: string, units: number, gain?: number): Value {
    let flat = x;
    if (x.dims.length > 2) {
      const out = `OC2_DUMMY_${this.dummies++}`;
      const shape = `OC2_DUMMY_${this.dummies++}`;
      flat = this.w.reshape(x, shape, [x.dims[0], x.dims.slice(1).reduce((a, b) => a * b, 1)], out);
    }
    const p = `${this.prefix}${layer}`;
    return this.w.gemm(flat, { out: `${p}_1`, weight: `${p}_w_0`, bias: `${p}_b_0`, units, gain });
  }

  /** In place, plus the mask output Caffe2 always wrote. */
  dropout(x: Value, layer: string, ratio: number, opset: number): Value {
    // Opset 12 made the ratio an optional input; the files converted to opset 12 dropped it (0.5 is the default).
    return this.w.dropout(x, bump(x.name), { ratio: opset < 12 ? ratio : undefined, mask: `_${this.prefix}${layer}_mask_1` });
  }

  softmax(x: Value, name: string): Value {
    return this.w.softmax(x, `${this.prefix}${name}_1`);
  }
}
