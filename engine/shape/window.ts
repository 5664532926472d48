/**
 * @module Output size and padding of sliding-window ops (Conv, MaxPool, AveragePool), per the ONNX spec.
 * Pure maths, tested without a GPU.
 */

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface WindowAttributes {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** ONNX layout: all begins, then all ends. */
  pads: number[];
  autoPad: AutoPad;
  ceilMode: boolean;
}

export interface WindowGeometry {
  /** Output spatial sizes. */
  output: number[];
  /** Resolved pads, begins then ends. */
  pads: number[];
}

/**
 * Resolves auto_pad and computes output sizes.
 * - NOTSET: floor (or ceil with ceil_mode) of (in + pads - effective kernel) / stride, plus one; with ceil_mode a
 *   window that would start entirely in the end padding is dropped (as onnxruntime and PyTorch do).
 * - SAME_*: output = ceil(in / stride); the total pad is split evenly, the odd one at the end (UPPER) or begin (LOWER).
 * - VALID: no padding.
 */
export function windowGeometry(input: readonly number[], a: WindowAttributes): WindowGeometry {
  const n = input.length;
  const output: number[] = [];
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = (a.kernel[i] - 1) * a.dilations[i] + 1;
    const s = a.strides[i];
    if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      const out = Math.ceil(input[i] / s);
      const total = Math.max(0, (out - 1) * s + k - input[i]);
      const small = Math.floor(total / 2);
      begins.push(a.autoPad === 'SAME_UPPER' ? small : total - small);
      ends.push(a.autoPad === 'SAME_UPPER' ? total - small : small);
      output.push(out);
    } else if (a.autoPad === 'VALID') {
      begins.push(0);
      ends.push(0);
      output.push(Math.floor((input[i] - k) / s) + 1);
    } else {
      const pb = a.pads[i] ?? 0;
      const pe = a.pads[i + n] ?? 0;
      begins.push(pb);
      ends.push(pe);
      const span = input[i] + pb + pe - k;
      let out = (a.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      if (a.ceilMode && (out - 1) * s >= input[i] + pb) out -= 1;
      output.push(out);
    }
  }
  return { output, pads: [...begins, ...ends] };
}
