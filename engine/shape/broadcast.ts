/** @module Multidirectional (numpy) broadcasting, per the ONNX spec. */
import { InvalidShapeError } from '../errors.ts';

/** The broadcast shape of several inputs; throws when two dims differ and neither is 1. */
export function broadcastShapes(shapes: readonly (readonly number[])[], what: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) throw new InvalidShapeError(`${what}: shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} do not broadcast`);
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** Element strides of `shape` seen through `outShape`: 0 along broadcast dims. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = outShape.length - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Element-wise `f(a, b)` over the broadcast of `aShape` and `bShape` (out[i] for each index of `outShape`). */
export function broadcastMap(outShape: readonly number[], a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[], f: (x: number, y: number) => number): number[] {
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const out = new Array<number>(sizeOf(outShape));
  for (let i = 0; i < out.length; i++) {
    let rest = i;
    let ia = 0;
    let ib = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const coord = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
      ia += coord * sa[d];
      ib += coord * sb[d];
    }
    out[i] = f(a[ia], b[ib]);
  }
  return out;
}
