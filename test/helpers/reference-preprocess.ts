/**
 * @module An independent reference for images/ (Node only): the torchvision recipe — RGBA composited on white,
 * Resize(256) with PIL's antialiased bilinear, CenterCrop(224), ToTensor, Normalize — written from the Pillow
 * and torchvision definitions without sharing code with images/preprocess.ts. The end-to-end test feeds its
 * tensor to onnxruntime and expects the service's top-5.
 *
 * Differences from images/ on purpose, so the two are not the same code twice:
 * - the resize is a direct 2-D sum (weight_x · weight_y over the whole window) evaluated only for the 224x224
 *   output pixels inside the crop, not two separable passes over the whole image;
 * - compositing stays in float64 (images/ rounds the composited pixel to 8 bits);
 * - JPEG orientation comes from mozjpeg's own EXIF handling (`preserveOrientation`), not our rotation code.
 * Decoding uses the same @jsquash/omggif decoders, loaded from node_modules.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import decodeJpeg, { init as initJpegRaw } from '@jsquash/jpeg/decode';
import decodePng, { init as initPng } from '@jsquash/png/decode';
import decodeWebp, { init as initWebpRaw } from '@jsquash/webp/decode';
import decodeAvif, { init as initAvifRaw } from '@jsquash/avif/decode';
import { GifReader } from 'omggif';

export interface ReferenceImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  data: Uint8ClampedArray;
}

// Written out here rather than imported from images/constants.ts: a wrong constant there must fail the comparison.
const SHORT_SIDE = 256;
const CROP = 224;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

const require = createRequire(import.meta.url);
// @types/node declares the WebAssembly types but not the global value.
const { Module: WasmModule } = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WebAssembly.Module } }).WebAssembly;
/** A .wasm file of an installed package, compiled (e.g. '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'). */
export async function wasm(specifier: string): Promise<WebAssembly.Module> {
  return new WasmModule(await readFile(require.resolve(specifier)));
}

type EmscriptenInit = (module: WebAssembly.Module) => Promise<unknown>;
let codecs: Promise<unknown> | undefined;
function initCodecs(): Promise<unknown> {
  codecs ??= (async () => {
    await (initJpegRaw as unknown as EmscriptenInit)(await wasm('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'));
    await initPng(await wasm('@jsquash/png/codec/pkg/squoosh_png_bg.wasm'));
    await (initWebpRaw as unknown as EmscriptenInit)(await wasm('@jsquash/webp/codec/dec/webp_dec.wasm'));
    await (initAvifRaw as unknown as EmscriptenInit)(await wasm('@jsquash/avif/codec/dec/avif_dec.wasm'));
  })();
  return codecs;
}

function asImage(decoded: { width: number; height: number; data: ArrayLike<number> } | null): ReferenceImage {
  if (!decoded) throw new Error('reference decode: the codec returned nothing');
  return { width: decoded.width, height: decoded.height, data: new Uint8ClampedArray(decoded.data) };
}

/** Decodes JPEG (EXIF-oriented by mozjpeg), PNG, WebP, AVIF or GIF (first frame) to RGBA. */
export async function referenceDecode(bytes: Uint8Array): Promise<ReferenceImage> {
  await initCodecs();
  const buffer = bytes.slice().buffer;
  const head = (n: number) => String.fromCharCode(...bytes.subarray(0, n));
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return asImage(await decodeJpeg(buffer, { preserveOrientation: true }));
  if (bytes[0] === 0x89 && head(4).slice(1) === 'PNG') return asImage(await decodePng(buffer));
  if (head(4) === 'RIFF') return asImage(await decodeWebp(buffer));
  if (head(3) === 'GIF') {
    const gif = new GifReader(bytes);
    const data = new Uint8ClampedArray(gif.width * gif.height * 4);
    gif.decodeAndBlitFrameRGBA(0, data);
    return { width: gif.width, height: gif.height, data };
  }
  return asImage(await decodeAvif(buffer));
}

/** Pillow's bilinear kernel: the triangle 1 - |x| on [-1, 1]. */
function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/**
 * Pillow's resampling window for output index `o` (ImagingResample precompute_coeffs): centre (o + 0.5) * scale,
 * support = max(scale, 1), taps from int(centre - support + 0.5) to int(centre + support + 0.5) clamped to the
 * image, weights triangle((i - centre + 0.5) / max(scale, 1)) normalised to sum 1.
 */
function windowFor(o: number, inSize: number, outSize: number): { first: number; weights: number[] } {
  const scale = inSize / outSize;
  const stretch = scale > 1 ? scale : 1;
  const centre = (o + 0.5) * scale;
  const first = Math.max(0, Math.trunc(centre - stretch + 0.5));
  const last = Math.min(inSize, Math.trunc(centre + stretch + 0.5));
  const weights: number[] = [];
  for (let i = first; i < last; i++) weights.push(triangle((i - centre + 0.5) / stretch));
  const total = weights.reduce((a, b) => a + b, 0);
  return { first, weights: weights.map((w) => w / total) };
}

/** Python 3's round(): ties to even. */
function pythonRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The 1x3x224x224 NCHW tensor of the torchvision ImageNet recipe. */
export function referencePreprocess(image: ReferenceImage): Float32Array {
  const { width: w, height: h, data } = image;
  // torchvision Resize(256): the short side becomes 256, the long one int(256 * long / short).
  const outW = w <= h ? SHORT_SIDE : Math.trunc((SHORT_SIDE * w) / h);
  const outH = w <= h ? Math.trunc((SHORT_SIDE * h) / w) : SHORT_SIDE;
  const top = pythonRound((outH - CROP) / 2);
  const left = pythonRound((outW - CROP) / 2);

  const columns = Array.from({ length: CROP }, (_, x) => windowFor(left + x, w, outW));
  const rows = Array.from({ length: CROP }, (_, y) => windowFor(top + y, h, outH));
  const tensor = new Float32Array(3 * CROP * CROP);
  const pixel = [0, 0, 0];
  for (let y = 0; y < CROP; y++) {
    const row = rows[y];
    for (let x = 0; x < CROP; x++) {
      const col = columns[x];
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < row.weights.length; j++) {
        for (let i = 0; i < col.weights.length; i++) {
          const weight = row.weights[j] * col.weights[i];
          const p = ((row.first + j) * w + col.first + i) * 4;
          const alpha = data[p + 3] / 255;
          // Over white, in float: c * a + 255 * (1 - a).
          r += weight * (data[p] * alpha + 255 * (1 - alpha));
          g += weight * (data[p + 1] * alpha + 255 * (1 - alpha));
          b += weight * (data[p + 2] * alpha + 255 * (1 - alpha));
        }
      }
      pixel[0] = r;
      pixel[1] = g;
      pixel[2] = b;
      for (let c = 0; c < 3; c++) tensor[c * CROP * CROP + y * CROP + x] = (pixel[c] / 255 - MEAN[c]) / STD[c];
    }
  }
  return tensor;
}

/** Bytes of an image file to the reference tensor. */
export async function referenceTensor(bytes: Uint8Array): Promise<Float32Array> {
  return referencePreprocess(await referenceDecode(bytes));
}
