/**
 * @module Test images made inside the test (workerd or Node): @jsquash encoders for JPEG/PNG/WebP/AVIF, omggif
 * for GIF, and a tiny PNG writer for the variants the PNG encoder cannot produce (16-bit, palette, grey).
 * Test-only: nothing in the service imports this.
 */
import encodeJpegRaw, { init as initJpegEncRaw } from '@jsquash/jpeg/encode';
import encodePngRaw, { init as initPngEnc } from '@jsquash/png/encode';
import encodeWebpRaw, { init as initWebpEncRaw } from '@jsquash/webp/encode';
import encodeAvifRaw, { init as initAvifEncRaw } from '@jsquash/avif/encode';
import jpegEncWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
// @ts-expect-error -- its .d.ts types the wasm's instance exports; as a CompiledWasm import the default is the Module.
import pngEncWasm from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';
import webpEncWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import avifEncWasm from '@jsquash/avif/codec/enc/avif_enc.wasm';
import { GifWriter } from 'omggif';
import { concatBytes } from './bytes.ts';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

type EmscriptenInit = (module: WebAssembly.Module) => Promise<unknown>;
type Encoder = (image: Rgba, options?: Record<string, unknown>) => Promise<ArrayBuffer>;

let inited: Promise<unknown> | undefined;
function initEncoders(): Promise<unknown> {
  inited ??= Promise.all([
    (initJpegEncRaw as unknown as EmscriptenInit)(jpegEncWasm),
    initPngEnc(pngEncWasm as WebAssembly.Module),
    (initWebpEncRaw as unknown as EmscriptenInit)(webpEncWasm),
    (initAvifEncRaw as unknown as EmscriptenInit)(avifEncWasm),
  ]);
  return inited;
}

async function run(encoder: unknown, image: Rgba, options?: Record<string, unknown>): Promise<Uint8Array> {
  await initEncoders();
  return new Uint8Array(await (encoder as Encoder)(image, options));
}

/** Fills an RGBA image from a per-pixel function. */
export function makeImage(width: number, height: number, pixel: (x: number, y: number) => readonly number[]): Rgba {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a = 255] = pixel(x, y);
      data.set([r, g, b, a], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

export const encodeJpeg = (image: Rgba, options: Record<string, unknown> = {}) => run(encodeJpegRaw, image, { quality: 95, ...options });
export const encodePng = (image: Rgba) => run(encodePngRaw, image);
export const encodeWebp = (image: Rgba, options: Record<string, unknown> = {}) => run(encodeWebpRaw, image, { quality: 95, ...options });
export const encodeAvif = (image: Rgba, options: Record<string, unknown> = {}) => run(encodeAvifRaw, image, { quality: 90, speed: 10, ...options });

/** GIF with the given palette (RGB triples) and per-pixel palette indices; `transparent` marks one index. */
export function encodeGif(width: number, height: number, palette: readonly number[], indices: Uint8Array, transparent?: number): Uint8Array {
  const buf = new Uint8Array(1024 + width * height * 2);
  const writer = new GifWriter(buf, width, height, {});
  const words = [];
  for (let i = 0; i < palette.length; i += 3) words.push((palette[i] << 16) | (palette[i + 1] << 8) | palette[i + 2]);
  while (words.length & (words.length - 1) || words.length < 2) words.push(0); // omggif wants a power of two
  writer.addFrame(0, 0, width, height, Array.from(indices), { palette: words, ...(transparent === undefined ? {} : { transparent }) });
  return buf.slice(0, writer.end());
}

// ---- Hand-written PNG: signature, IHDR, optional PLTE/tRNS, one IDAT, IEND. ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** zlib via CompressionStream('deflate') (RFC 1950 wrapper), available in workerd and Node. */
async function zlib(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 8 | 16;
  /** Unfiltered scanline bytes without the filter byte, big-endian samples. */
  rows: Uint8Array;
  palette?: Uint8Array;
  trns?: Uint8Array;
}

export async function writePng(spec: PngSpec): Promise<Uint8Array> {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, spec.width);
  view.setUint32(4, spec.height);
  ihdr.set([spec.bitDepth, spec.colorType, 0, 0, 0], 8);
  const rowBytes = spec.rows.length / spec.height;
  const raw = new Uint8Array(spec.height * (rowBytes + 1));
  for (let y = 0; y < spec.height; y++) raw.set(spec.rows.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (spec.palette) parts.push(chunk('PLTE', spec.palette));
  if (spec.trns) parts.push(chunk('tRNS', spec.trns));
  parts.push(chunk('IDAT', await zlib(raw)), chunk('IEND', new Uint8Array()));
  return concatBytes(parts);
}

/** Only the signature and an IHDR declaring the size: what a decompression bomb's header looks like. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return concatBytes([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', new Uint8Array([0x78, 0x9c])), chunk('IEND', new Uint8Array())]);
}

/**
 * Inserts an APP1 EXIF segment with IFD0 Orientation right after SOI: a big-endian ("MM") TIFF header and one
 * IFD entry, tag 0x0112, type SHORT, count 1.
 */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0, 0, 0];
  const payload = [...'Exif\0\0'].map((c) => c.charCodeAt(0)).concat(tiff);
  const length = payload.length + 2;
  const app1 = new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...payload]);
  return concatBytes([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}
