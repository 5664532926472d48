/**
 * @module The WebAssembly decoders, instantiated once per isolate on first use. Workers cannot compile wasm
 * from bytes at runtime, so each codec gets its precompiled module (imported as a CompiledWasm module) instead of
 * fetching its .wasm the way the packages do by default. JPEG has its own wrapper, mozjpeg.ts.
 */
import decodePngWasm, { init as initPng } from '@jsquash/png/decode';
import decodeWebpWasm, { init as initWebpRaw } from '@jsquash/webp/decode';
import decodeAvifWasm, { init as initAvifRaw } from '@jsquash/avif/decode';
// @ts-expect-error -- its .d.ts types the wasm's instance exports; as a CompiledWasm import the default is the Module.
import pngWasmModule from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';
import webpWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import avifWasm from '@jsquash/avif/codec/dec/avif_dec.wasm';
import { wasmInstance } from './wasm-instance.ts';

/** What every codec returns: jsquash's ImageData polyfill, 8-bit RGBA. */
export interface CodecImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface CodecImage16 {
  width: number;
  height: number;
  data: Uint16Array;
}

// The emscripten packages' .d.ts only declare init(options); their JS takes (module, options) first.
type EmscriptenInit = (module: WebAssembly.Module) => Promise<void>;
const initWebp = initWebpRaw as unknown as EmscriptenInit;
const initAvif = initAvifRaw as unknown as EmscriptenInit;

const pngWasm = pngWasmModule as WebAssembly.Module;

// A failed decode drops the instance (see wasm-instance.ts): an aborted emscripten module stays aborted.
const webp = wasmInstance(() => initWebp(webpWasm));
const avif = wasmInstance(() => initAvif(avifWasm));

export function decodePngRgba(bytes: Uint8Array): Promise<CodecImage> {
  // wasm-bindgen's init caches its instance itself; a Rust error comes back as an exception, not an abort.
  return initPng(pngWasm).then(() => decodePngWasm(toArrayBuffer(bytes)));
}

export function decodePngRgba16(bytes: Uint8Array): Promise<CodecImage16> {
  return initPng(pngWasm).then(() => decodePngWasm(toArrayBuffer(bytes), { bitDepth: 16 }));
}

export function decodeWebpRgba(bytes: Uint8Array): Promise<CodecImage> {
  return webp.use(() => decodeWebpWasm(toArrayBuffer(bytes)));
}

export async function decodeAvifRgba(bytes: Uint8Array): Promise<CodecImage> {
  const image = await avif.use(() => decodeAvifWasm(toArrayBuffer(bytes)));
  if (!image) throw new Error('the AVIF decoder returned no image');
  return image;
}

/** The codecs take an ArrayBuffer; copy only when `bytes` is a view into a larger buffer. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer;
}
