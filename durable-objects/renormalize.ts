/**
 * @module The Worker's tensor (NCHW, scaled to [0, 1], ImageNet mean/std) in the form a model's manifest asks
 * for: another scale, mean and std, or NHWC. Per channel the two normalisations are affine in the pixel, so one
 * is an affine map of the other: p = v * std0 + mean0, and the model wants (p * scale - mean) / std.
 */
import { DEFAULT_MANIFEST, type ModelManifest } from './manifest.ts';

function sameNormalization(m: ModelManifest): boolean {
  const d = DEFAULT_MANIFEST;
  return m.scale === d.scale && m.mean.every((v, c) => v === d.mean[c]) && m.std.every((v, c) => v === d.std[c]);
}

/** `tensor` is one 3 x side x side image, NCHW, as images/ produces it. Returns it unchanged when nothing differs. */
export function renormalize(tensor: Float32Array, m: ModelManifest): Float32Array {
  if (m.layout === 'NCHW' && sameNormalization(m)) return tensor;
  const plane = tensor.length / 3;
  const d = DEFAULT_MANIFEST;
  const gain = [0, 1, 2].map((c) => (d.std[c] * m.scale) / m.std[c]);
  const offset = [0, 1, 2].map((c) => (d.mean[c] * m.scale - m.mean[c]) / m.std[c]);
  const out = new Float32Array(tensor.length);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const v = tensor[c * plane + i] * gain[c] + offset[c];
      out[m.layout === 'NCHW' ? c * plane + i : i * 3 + c] = v;
    }
  }
  return out;
}
