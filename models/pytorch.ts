/**
 * @module How torch.onnx.export wrote the zoo's PyTorch models (MobileNetV2, ShuffleNet v2, MNASNet): BatchNorm
 * folded into its Conv (so every conv has a bias), numbered values and `<Op>_<n>` node names (torch 1.x), or
 * scoped `/layers/.../Conv` names with `onnx::Conv_<n>` weights (torch 2.x), and constants as Constant nodes.
 */
import type { ConvSpec, NetWriter, Pads, Value } from './net-writer.ts';
import { LINEAR_GAIN, RELU6_GAIN } from './net-writer.ts';

export type TorchStyle = 'numbered' | 'scoped';

/** `/layers/layers.3/`, or `/` at the top level. */
const scoped = (scope: string) => (scope ? `/${scope}/` : '/');

export class Torch {
  private values = 0;
  private nodes = 0;

  constructor(
    readonly w: NetWriter,
    readonly style: TorchStyle,
  ) {}

  /** A fresh value name: `317` (1.x) or `/<scope>/<Op>_output_0` (2.x, made unique by a counter). */
  value(op: string, scope = ''): string {
    return this.style === 'numbered' ? String(this.values++ + 300) : `${scoped(scope)}${op}_${this.values++}_output_0`;
  }

  node(op: string, scope = ''): string {
    return this.style === 'numbered' ? `${op}_${this.nodes++}` : `${scoped(scope)}${op}_${this.nodes++}`;
  }

  weight(op: string): string {
    return this.style === 'numbered' ? String(this.values++ + 300) : `onnx::${op}_${this.values++ + 300}`;
  }

  /** Conv with the BatchNorm folded in (bias always present), optionally followed by ReLU or ReLU6. */
  conv(x: Value, o: { channels: number; kernel: number; stride?: number; group?: number; pads?: Pads; scope?: string }, act: 'relu' | 'relu6' | 'none'): Value {
    const spec: ConvSpec = {
      out: this.value('Conv', o.scope), node: this.node('Conv', o.scope), weight: this.weight('Conv'), bias: this.weight('Conv'),
      channels: o.channels, kernel: o.kernel, stride: o.stride, group: o.group, pads: o.pads ?? o.kernel >> 1, gain: act === 'none' ? LINEAR_GAIN : act === 'relu6' ? RELU6_GAIN : undefined,
    };
    const y = this.w.conv(x, spec);
    if (act === 'relu') return this.w.relu(y, this.value('Relu', o.scope), this.node('Relu', o.scope));
    if (act === 'relu6') {
      // PyTorch wrote each Clip's bounds as two Constant nodes of its own.
      const min = this.w.constantFloat(this.value('Constant', o.scope), [], [0], this.node('Constant', o.scope));
      const max = this.w.constantFloat(this.value('Constant', o.scope), [], [6], this.node('Constant', o.scope));
      return this.w.clipInputs(y, this.value('Clip', o.scope), min, max, this.node('Clip', o.scope));
    }
    return y;
  }

  add(a: Value, b: Value, scope = ''): Value {
    return this.w.add(a, b, this.value('Add', scope), this.node('Add', scope));
  }

  /** nn.Linear: Gemm with transB. */
  linear(x: Value, units: number, gain: number, names: { out?: string; weight: string; bias: string }): Value {
    return this.w.gemm(x, { out: names.out ?? this.value('Gemm'), node: this.node('Gemm'), weight: names.weight, bias: names.bias, units, gain });
  }
}
