/**
 * @module RGBA pixels to the model's input tensor, the torchvision ImageNet recipe:
 * composite alpha on white, Resize(256) (shorter side, PIL-style antialiased bilinear), CenterCrop(224),
 * ToTensor (/255), Normalize(mean, std), as one 1x3x224x224 NCHW float32 tensor.
 *
 * Resize is our own separable triangle filter with PIL's exact coefficients (Pillow's ImagingResample:
 * support = max(scale, 1), centre (i + 0.5) * scale, window rounded, weights normalised per output pixel). It is
 * not @jsquash/resize: that one outputs 8-bit, works in linear light by default and uses the `resize` crate's
 * own windowing. Unlike PIL we keep the resized values in float instead of rounding to 8 bits after each pass;
 * the difference is at most 0.5/255 per pass, below the model's sensitivity.
 */
import { IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE, RESIZE_SHORTER } from './constants.ts';

/** Interleaved RGB, 3 floats per pixel, values on the 0..255 scale. */
export interface RgbFloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Alpha over a white background, in 8-bit sRGB as browsers and PIL do: c' = c·a + 255·(1 − a), rounded.
 * Returns interleaved RGB (3 bytes per pixel): a third less than the RGBA input, and the only full-size copy
 * the pipeline makes.
 */
export function compositeOnWhite(rgba: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  const pixels = width * height;
  if (rgba.length !== pixels * 4) throw new RangeError(`expected ${pixels * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  const rgb = new Uint8ClampedArray(pixels * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    const a = rgba[i + 3];
    if (a === 255) {
      rgb[o] = rgba[i];
      rgb[o + 1] = rgba[i + 1];
      rgb[o + 2] = rgba[i + 2];
    } else {
      const k = a / 255;
      rgb[o] = rgba[i] * k + 255 * (1 - k);
      rgb[o + 1] = rgba[i + 1] * k + 255 * (1 - k);
      rgb[o + 2] = rgba[i + 2] * k + 255 * (1 - k);
    }
  }
  return rgb;
}

/** torchvision Resize(int): the shorter side becomes `shorter`, the longer `int(shorter * long / short)`. */
export function resizedSize(width: number, height: number, shorter: number = RESIZE_SHORTER): { width: number; height: number } {
  if (width <= height) return { width: shorter, height: Math.floor((shorter * height) / width) };
  return { width: Math.floor((shorter * width) / height), height: shorter };
}

interface Coefficients {
  /** First input index of each output pixel's window. */
  start: Int32Array;
  /** Window length of each output pixel. */
  count: Int32Array;
  /** `taps` weights per output pixel, normalised to sum 1. */
  weights: Float64Array;
  taps: number;
}

/** Pillow's precompute_coeffs with the bilinear (triangle) filter, support 1. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i - center + 0.5) / filterScale));
      weights[o * taps + (i - lo)] = w;
      sum += w;
    }
    if (sum > 0) for (let k = 0; k < hi - lo; k++) weights[o * taps + k] /= sum;
    start[o] = lo;
    count[o] = hi - lo;
  }
  return { start, count, weights, taps };
}

/**
 * Antialiased bilinear resize of interleaved RGB (8-bit) so the shorter side is `shorter`: horizontal pass into
 * a float buffer of inHeight x outWidth, then the vertical pass.
 */
export function resizeShorterSide(rgb: Uint8ClampedArray, width: number, height: number, shorter: number = RESIZE_SHORTER): RgbFloatImage {
  if (rgb.length !== width * height * 3) throw new RangeError(`expected ${width * height * 3} RGB bytes for ${width}x${height}, got ${rgb.length}`);
  const out = resizedSize(width, height, shorter);
  const h = coefficients(width, out.width);
  const tmp = new Float32Array(height * out.width * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < out.width; x++) {
      let r = 0, g = 0, b = 0;
      const base = x * h.taps;
      for (let k = 0, p = row + h.start[x] * 3; k < h.count[x]; k++, p += 3) {
        const w = h.weights[base + k];
        r += w * rgb[p];
        g += w * rgb[p + 1];
        b += w * rgb[p + 2];
      }
      const o = (y * out.width + x) * 3;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  const v = coefficients(height, out.height);
  const data = new Float32Array(out.width * out.height * 3);
  const stride = out.width * 3;
  for (let y = 0; y < out.height; y++) {
    const base = y * v.taps;
    const dst = y * stride;
    for (let k = 0; k < v.count[y]; k++) {
      const w = v.weights[base + k];
      const src = (v.start[y] + k) * stride;
      for (let i = 0; i < stride; i++) data[dst + i] += w * tmp[src + i];
    }
  }
  return { width: out.width, height: out.height, data };
}

/** Python's round(): halves go to the even neighbour, as torchvision's center_crop offsets do. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The central size x size window. Offsets follow torchvision: top = int(round((h - size) / 2)) with Python's
 * round-half-to-even, so a 341-wide image is cropped from x = 58 (not 59).
 */
export function centerCrop(image: RgbFloatImage, size: number = INPUT_SIZE): RgbFloatImage {
  if (image.width < size || image.height < size) throw new RangeError(`cannot crop ${size}x${size} from ${image.width}x${image.height}`);
  const top = roundHalfEven((image.height - size) / 2);
  const left = roundHalfEven((image.width - size) / 2);
  const data = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const src = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(src, src + size * 3), y * size * 3);
  }
  return { width: size, height: size, data };
}

/** (v / 255 − mean) / std per channel, interleaved RGB to planar NCHW (batch 1). */
export function normalizeToNCHW(image: RgbFloatImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const mean = IMAGENET_MEAN[c];
    const std = IMAGENET_STD[c];
    for (let i = 0; i < plane; i++) out[c * plane + i] = (image.data[i * 3 + c] / 255 - mean) / std;
  }
  return out;
}

/** The whole recipe: RGBA of any size to the 1x3x224x224 input tensor. */
export function toModelInput(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  const rgb = compositeOnWhite(rgba, width, height);
  const resized = resizeShorterSide(rgb, width, height, RESIZE_SHORTER);
  return normalizeToNCHW(centerCrop(resized, INPUT_SIZE));
}
