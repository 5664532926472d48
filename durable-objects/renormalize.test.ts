import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD } from '../images/constants.ts';
import { DEFAULT_MANIFEST, type ModelManifest } from './manifest.ts';
import { renormalize } from './renormalize.ts';

/** A 2x2 image's pixels (0..255) as the Worker sends them: NCHW, /255, ImageNet mean/std. */
const PIXELS = [
  [10, 200, 30],
  [255, 0, 128],
  [64, 64, 64],
  [1, 2, 3],
];
function workerTensor(): Float32Array {
  const t = new Float32Array(12);
  PIXELS.forEach((rgb, i) => rgb.forEach((v, c) => (t[c * 4 + i] = (v / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c])));
  return t;
}

describe('renormalize', () => {
  it('returns the tensor itself when the manifest asks for the SPEC preprocessing', () => {
    const t = workerTensor();
    expect(renormalize(t, DEFAULT_MANIFEST)).toBe(t);
  });

  it('gives a Caffe-style model (0..255, its own mean, std 1) its values, channel by channel', () => {
    const m: ModelManifest = { ...DEFAULT_MANIFEST, scale: 255, mean: [123.68, 116.78, 103.94], std: [1, 1, 1] };
    const out = renormalize(workerTensor(), m);
    PIXELS.forEach((rgb, i) => rgb.forEach((v, c) => expect(out[c * 4 + i]).toBeCloseTo(v - m.mean[c], 3)));
  });

  it('lays the values out NHWC when asked', () => {
    const m: ModelManifest = { ...DEFAULT_MANIFEST, layout: 'NHWC', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
    const out = renormalize(workerTensor(), m);
    PIXELS.forEach((rgb, i) => rgb.forEach((v, c) => expect(out[i * 3 + c]).toBeCloseTo((v / 255 - 0.5) / 0.5, 5)));
  });
});
