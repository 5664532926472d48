/**
 * @module Pixels to the model input, the torchvision/model-zoo recipe done as PIL does it for 8-bit images:
 * shorter side to `resize` with Pillow's antialiased bilinear filter, center crop `crop` x `crop`, giving the
 * uint8 RGB crop (HWC); then, separately, normalize() to float32 NCHW or NHWC with a model's mean/std/scale.
 *
 * The resize is Pillow's ImagingResample, to the bit: precompute_coeffs (support = max(scale, 1), centre
 * (i + 0.5) * scale, window bounds rounded, triangle weights normalised), weights in 22-bit fixed point, the
 * horizontal pass first and each pass rounded to 8 bits (normalize_coeffs_8bpc, ImagingResample*_8bpc). Only
 * the crop's pixels are computed (each output pixel depends on its own window only, so this equals resizing the
 * whole image and cropping), from whichever rectangle of the source those windows read.
 *
 * Sources are read "by addressing": a PixelSource is stored pixels (RGB or opaque RGBA, all of an image or a
 * rectangle of it) plus an EXIF orientation, and the resize walks them in upright order through a start offset
 * and two signed strides, so rotating a photo costs no second buffer.
 */
import { IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE, RESIZE_SHORTER } from './constants.ts';

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

/** A rectangle of pixels: `left`/`top` in the image it lies in. */
export interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
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
 * Where the central size x size crop of a width x height image lies. Offsets follow torchvision: top =
 * int(round((h - size) / 2)) with Python's round-half-to-even, so a 341-wide image is cropped from x = 58.
 */
export function centerWindow(width: number, height: number, size: number = INPUT_SIZE): Window {
  if (width < size || height < size) throw new RangeError(`cannot crop ${size}x${size} from ${width}x${height}`);
  return { left: roundHalfEven((width - size) / 2), top: roundHalfEven((height - size) / 2), width: size, height: size };
}

/** Resize target and crop size: a model's preprocessing (the zoo's by default). */
export interface CropSpec {
  /** The shorter side is resized to this. */
  resize: number;
  /** Then the central crop x crop square is taken. */
  crop: number;
}

export const ZOO_CROP: CropSpec = { resize: RESIZE_SHORTER, crop: INPUT_SIZE };

/** Fixed-point bits of Pillow's 8-bit resampling weights (PRECISION_BITS = 32 - 8 - 2). */
const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coefficients {
  /** First input index of each output pixel's window. */
  start: Int32Array;
  /** Window length of each output pixel. */
  count: Int32Array;
  /** `taps` fixed-point weights per output pixel. */
  weights: Int32Array;
  taps: number;
}

/** Pillow's precompute_coeffs (bilinear, support 1) + normalize_coeffs_8bpc for outputs first..first+n-1. */
function coefficients(inSize: number, outSize: number, first: number, n: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const inverse = 1 / filterScale;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Int32Array(n * taps);
  const w = new Float64Array(taps);
  for (let j = 0; j < n; j++) {
    const center = (first + j + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let i = 0; i < hi - lo; i++) {
      const x = Math.abs((i + lo - center + 0.5) * inverse);
      w[i] = x < 1 ? 1 - x : 0;
      sum += w[i];
    }
    for (let i = 0; i < hi - lo; i++) {
      const k = sum !== 0 ? w[i] / sum : w[i];
      weights[j * taps + i] = Math.trunc(k < 0 ? -0.5 + k * (1 << PRECISION_BITS) : 0.5 + k * (1 << PRECISION_BITS));
    }
    start[j] = lo;
    count[j] = hi - lo;
  }
  return { start, count, weights, taps };
}

/** clip8: the fixed-point sum to 0..255. */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Stored pixels seen through an EXIF orientation. */
export interface PixelSource {
  /** Stored size of the whole image (before orientation). */
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA, already opaque: see compositeOnWhite). */
  channels: 3 | 4;
  /** Row-major pixels of `region`, `region.width * channels` bytes a row. */
  data: Uint8Array | Uint8ClampedArray;
  /** The stored rectangle `data` holds; the whole image when absent. */
  region?: Window;
  /** EXIF orientation 1..8 (1 when absent). */
  orientation?: number;
}

/** The displayed size of a stored width x height image under an EXIF orientation (5..8 swap the sides). */
export function uprightSize(width: number, height: number, orientation = 1): { width: number; height: number } {
  return orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height };
}

/**
 * Upright pixel (u, v) is stored pixel (sx, sy) = (ax + u*ux + v*vx, ay + u*uy + v*vy) for a stored image of
 * w x h: orientation 2 mirrors, 3 rotates 180°, 4 flips, 5 transposes, 6 is stored 90° counter-clockwise
 * (displayed rotated clockwise), 7 transverse, 8 stored 90° clockwise.
 */
function orientationMap(w: number, h: number, orientation: number): [ax: number, ux: number, vx: number, ay: number, uy: number, vy: number] {
  switch (orientation) {
    case 2: return [w - 1, -1, 0, 0, 0, 1];
    case 3: return [w - 1, -1, 0, h - 1, 0, -1];
    case 4: return [0, 1, 0, h - 1, 0, -1];
    case 5: return [0, 0, 1, 0, 1, 0];
    case 6: return [0, 0, 1, h - 1, -1, 0];
    case 7: return [w - 1, 0, -1, h - 1, -1, 0];
    case 8: return [w - 1, 0, -1, 0, 1, 0];
    default: return [0, 1, 0, 0, 0, 1];
  }
}

/** The stored rectangle holding the upright rectangle `upright` of a stored w x h image. */
export function storedWindow(upright: Window, w: number, h: number, orientation = 1): Window {
  const [ax, ux, vx, ay, uy, vy] = orientationMap(w, h, orientation);
  const xs = [upright.left, upright.left + upright.width - 1];
  const ys = [upright.top, upright.top + upright.height - 1];
  const sx = xs.flatMap((u) => ys.map((v) => ax + u * ux + v * vx));
  const sy = xs.flatMap((u) => ys.map((v) => ay + u * uy + v * vy));
  const left = Math.min(...sx);
  const top = Math.min(...sy);
  return { left, top, width: Math.max(...sx) - left + 1, height: Math.max(...sy) - top + 1 };
}

/** What resizing an upright width x height image and cropping it reads and writes. */
export interface CropPlan {
  /** Upright size after the resize (before the crop). */
  resized: { width: number; height: number };
  /** The crop inside the resized image. */
  crop: Window;
  /** The upright input rectangle the crop's resampling windows read. */
  reads: Window;
}

export function planCrop(width: number, height: number, spec: CropSpec = ZOO_CROP): CropPlan {
  const resized = resizedSize(width, height, spec.resize);
  const crop = centerWindow(resized.width, resized.height, spec.crop);
  const h = coefficients(width, resized.width, crop.left, crop.width);
  const v = coefficients(height, resized.height, crop.top, crop.height);
  const left = h.start[0];
  const top = v.start[0];
  const reads = {
    left,
    top,
    width: h.start[crop.width - 1] + h.count[crop.width - 1] - left,
    height: v.start[crop.height - 1] + v.count[crop.height - 1] - top,
  };
  return { resized, crop, reads };
}

/**
 * The uint8 RGB crop (HWC, crop x crop x 3) of PIL's resize + center crop of the upright image, rounded as
 * Pillow rounds 8-bit images. `source` must hold at least planCrop(...).reads (mapped to stored coordinates).
 */
export function resizeCrop(source: PixelSource, spec: CropSpec = ZOO_CROP): Uint8Array {
  const orientation = source.orientation ?? 1;
  const region = source.region ?? { left: 0, top: 0, width: source.width, height: source.height };
  const ch = source.channels;
  if (source.data.length < region.width * region.height * ch) {
    throw new RangeError(`expected ${region.width * region.height * ch} bytes for a ${region.width}x${region.height} region, got ${source.data.length}`);
  }
  const upright = uprightSize(source.width, source.height, orientation);
  const { resized, crop } = planCrop(upright.width, upright.height, spec);
  const h = coefficients(upright.width, resized.width, crop.left, crop.width);
  const v = coefficients(upright.height, resized.height, crop.top, crop.height);
  const rowFirst = v.start[0];
  const rowEnd = v.start[crop.height - 1] + v.count[crop.height - 1];

  // Byte address of upright (u, v): base + u * du + v * dv, inside the stored region.
  const [ax, ux, vx, ay, uy, vy] = orientationMap(source.width, source.height, orientation);
  const stride = region.width * ch;
  const base = (ay - region.top) * stride + (ax - region.left) * ch;
  const du = uy * stride + ux * ch;
  const dv = vy * stride + vx * ch;
  const check = storedWindow({ left: h.start[0], top: rowFirst, width: h.start[crop.width - 1] + h.count[crop.width - 1] - h.start[0], height: rowEnd - rowFirst }, source.width, source.height, orientation);
  if (check.left < region.left || check.top < region.top || check.left + check.width > region.left + region.width || check.top + check.height > region.top + region.height) {
    throw new RangeError(`the region ${region.width}x${region.height}+${region.left}+${region.top} does not hold the pixels the crop reads`);
  }

  const data = source.data;
  const rowBytes = crop.width * 3;
  // Horizontal pass (upright x) over the upright rows the vertical windows read, rounded to 8 bits.
  const tmp = new Uint8Array((rowEnd - rowFirst) * rowBytes);
  for (let y = rowFirst; y < rowEnd; y++) {
    const row = base + y * dv;
    const out = (y - rowFirst) * rowBytes;
    for (let x = 0; x < crop.width; x++) {
      let r = HALF, g = HALF, b = HALF;
      const k0 = x * h.taps;
      for (let k = 0, p = row + h.start[x] * du; k < h.count[x]; k++, p += du) {
        const w = h.weights[k0 + k];
        r += data[p] * w;
        g += data[p + 1] * w;
        b += data[p + 2] * w;
      }
      tmp[out + x * 3] = clip8(r);
      tmp[out + x * 3 + 1] = clip8(g);
      tmp[out + x * 3 + 2] = clip8(b);
    }
  }
  // Vertical pass (upright y), rounded to 8 bits.
  const result = new Uint8Array(crop.height * rowBytes);
  const acc = new Int32Array(rowBytes);
  for (let y = 0; y < crop.height; y++) {
    acc.fill(HALF);
    const k0 = y * v.taps;
    for (let k = 0; k < v.count[y]; k++) {
      const w = v.weights[k0 + k];
      const src = (v.start[y] + k - rowFirst) * rowBytes;
      for (let i = 0; i < rowBytes; i++) acc[i] += tmp[src + i] * w;
    }
    const out = y * rowBytes;
    for (let i = 0; i < rowBytes; i++) result[out + i] = clip8(acc[i]);
  }
  return result;
}

/** How a model wants its input: value = (v * scale - mean[c]) / std[c], channels planar (NCHW) or interleaved (NHWC). */
export interface NormalizeSpec {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  scale: number;
  layout: 'NCHW' | 'NHWC';
}

export const IMAGENET_NORMALIZE: NormalizeSpec = { mean: IMAGENET_MEAN, std: IMAGENET_STD, scale: 1 / 255, layout: 'NCHW' };

/** The uint8 HWC RGB crop to a float32 tensor (batch 1). */
export function normalize(crop: Uint8Array, spec: NormalizeSpec = IMAGENET_NORMALIZE): Float32Array {
  if (crop.length % 3 !== 0) throw new RangeError(`an RGB crop has a multiple of 3 bytes, got ${crop.length}`);
  const plane = crop.length / 3;
  const out = new Float32Array(crop.length);
  for (let c = 0; c < 3; c++) {
    const mul = spec.scale / spec.std[c];
    const add = -spec.mean[c] / spec.std[c];
    if (spec.layout === 'NCHW') {
      for (let i = 0; i < plane; i++) out[c * plane + i] = crop[i * 3 + c] * mul + add;
    } else {
      for (let i = 0; i < plane; i++) out[i * 3 + c] = crop[i * 3 + c] * mul + add;
    }
  }
  return out;
}

/**
 * RGBA of any size to today's 1x3x224x224 input: composite on white (IN PLACE), resize + crop, ImageNet
 * normalisation. The serving side will take the uint8 crop instead and normalise on the GPU.
 */
export function toModelInput(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  compositeOnWhite(rgba, width, height);
  return normalize(resizeCrop({ width, height, channels: 4, data: rgba }));
}
