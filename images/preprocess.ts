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
 *
 * Memory: the only full-size buffer is the decoded RGBA, composited in place; resampling touches the crop only.
 */
import { IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE, RESIZE_SHORTER } from './constants.ts';

/** Interleaved RGB, 3 floats per pixel, values on the 0..255 scale. */
export interface RgbFloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Alpha over a white background, in 8-bit sRGB as browsers and PIL do: c' = c·a + 255·(1 − a), rounded, alpha
 * set to 255. IN PLACE, returning the same array: the decoded buffer is not needed afterwards, and a second
 * full-size copy of a 12 MP photo would cost 36-48 MB of a Worker's 128 MB.
 */
export function compositeOnWhite(rgba: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  for (let i = 3; i < rgba.length; i += 4) {
    const a = rgba[i];
    if (a === 255) continue;
    const k = a / 255;
    const white = 255 * (1 - k);
    rgba[i - 3] = rgba[i - 3] * k + white;
    rgba[i - 2] = rgba[i - 2] * k + white;
    rgba[i - 1] = rgba[i - 1] * k + white;
    rgba[i] = 255;
  }
  return rgba;
}

/** torchvision Resize(int): the shorter side becomes `shorter`, the longer `int(shorter * long / short)`. */
export function resizedSize(width: number, height: number, shorter: number = RESIZE_SHORTER): { width: number; height: number } {
  if (width <= height) return { width: shorter, height: Math.floor((shorter * height) / width) };
  return { width: Math.floor((shorter * width) / height), height: shorter };
}

/** A rectangle of output pixels: `left`/`top` in the full resized image. */
export interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
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

/**
 * Pillow's precompute_coeffs with the bilinear (triangle) filter, support 1, for output pixels
 * first..first+n-1 of an inSize -> outSize resize.
 */
function coefficients(inSize: number, outSize: number, first: number, n: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Float64Array(n * taps);
  for (let j = 0; j < n; j++) {
    const center = (first + j + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i - center + 0.5) / filterScale));
      weights[j * taps + (i - lo)] = w;
      sum += w;
    }
    if (sum > 0) for (let k = 0; k < hi - lo; k++) weights[j * taps + k] /= sum;
    start[j] = lo;
    count[j] = hi - lo;
  }
  return { start, count, weights, taps };
}

/**
 * Antialiased bilinear resize of opaque RGBA (alpha is ignored: composite first) so the shorter side is
 * `shorter`, returned as float RGB. With `window`, only those output pixels are computed — the same values as
 * cropping the full result, without materialising it (a 20000x100 strip would otherwise become 51200x256
 * floats). Horizontal pass over the input rows the window needs, then the vertical pass.
 */
export function resizeShorterSide(rgba: Uint8ClampedArray, width: number, height: number, shorter: number = RESIZE_SHORTER, window?: Window): RgbFloatImage {
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  const full = resizedSize(width, height, shorter);
  const win = window ?? { left: 0, top: 0, width: full.width, height: full.height };
  if (win.left < 0 || win.top < 0 || win.left + win.width > full.width || win.top + win.height > full.height) {
    throw new RangeError(`window ${win.width}x${win.height}+${win.left}+${win.top} is outside the ${full.width}x${full.height} result`);
  }
  const h = coefficients(width, full.width, win.left, win.width);
  const v = coefficients(height, full.height, win.top, win.height);
  // Only input rows some output row reads.
  const rowFirst = v.start[0];
  const rowEnd = v.start[win.height - 1] + v.count[win.height - 1];
  const stride = win.width * 3;
  const tmp = new Float32Array((rowEnd - rowFirst) * stride);
  for (let y = rowFirst; y < rowEnd; y++) {
    const row = y * width * 4;
    const out = (y - rowFirst) * stride;
    for (let x = 0; x < win.width; x++) {
      let r = 0, g = 0, b = 0;
      const base = x * h.taps;
      for (let k = 0, p = row + h.start[x] * 4; k < h.count[x]; k++, p += 4) {
        const w = h.weights[base + k];
        r += w * rgba[p];
        g += w * rgba[p + 1];
        b += w * rgba[p + 2];
      }
      tmp[out + x * 3] = r;
      tmp[out + x * 3 + 1] = g;
      tmp[out + x * 3 + 2] = b;
    }
  }
  const data = new Float32Array(win.width * win.height * 3);
  for (let y = 0; y < win.height; y++) {
    const base = y * v.taps;
    const dst = y * stride;
    for (let k = 0; k < v.count[y]; k++) {
      const w = v.weights[base + k];
      const src = (v.start[y] + k - rowFirst) * stride;
      for (let i = 0; i < stride; i++) data[dst + i] += w * tmp[src + i];
    }
  }
  return { width: win.width, height: win.height, data };
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
 * Where the central size x size crop of a width x height image lies. Offsets follow torchvision: top = int(round((h - size) / 2)) with Python's
 * round-half-to-even, so a 341-wide image is cropped from x = 58 (not 59).
 */
export function centerWindow(width: number, height: number, size: number = INPUT_SIZE): Window {
  if (width < size || height < size) throw new RangeError(`cannot crop ${size}x${size} from ${width}x${height}`);
  return { left: roundHalfEven((width - size) / 2), top: roundHalfEven((height - size) / 2), width: size, height: size };
}

/** The central size x size window of an image (see centerWindow for the offsets). */
export function centerCrop(image: RgbFloatImage, size: number = INPUT_SIZE): RgbFloatImage {
  const { top, left } = centerWindow(image.width, image.height, size);
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

/**
 * The whole recipe: RGBA of any size to the 1x3x224x224 input tensor. Resize and crop are fused (only the crop
 * is resampled); the result equals normalizeToNCHW(centerCrop(resizeShorterSide(...))). Composites `rgba` on
 * white IN PLACE.
 */
export function toModelInput(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  compositeOnWhite(rgba, width, height);
  const full = resizedSize(width, height, RESIZE_SHORTER);
  const window = centerWindow(full.width, full.height, INPUT_SIZE);
  return normalizeToNCHW(resizeShorterSide(rgba, width, height, RESIZE_SHORTER, window));
}
