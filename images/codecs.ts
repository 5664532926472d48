/**
 * @module The WebAssembly decoders for PNG, WebP and AVIF, one instance each per isolate, created on first use
 * and released after a decode that grew it (wasm-instance.ts). Workers cannot compile wasm from bytes at runtime,
 * so each codec gets its precompiled module (imported as a CompiledWasm module) instead of fetching its .wasm
 * the way the packages do by default. The packages' own decode() functions keep their instance in a module
 * variable for good, so the emscripten factories (WebP, AVIF) and the PNG module (png-codec.ts) are instantiated
 * here instead. JPEG has its own decoder, jpeg-decoder.ts.
 */
import webpFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import avifFactory from '@jsquash/avif/codec/dec/avif_dec.js';
import { initEmscriptenModule as initWebp } from '@jsquash/webp/utils.js';
import { initEmscriptenModule as initAvif } from '@jsquash/avif/utils.js';
import webpWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import avifWasm from '@jsquash/avif/codec/dec/avif_dec.wasm';
import { PngCodec, type PngRgba } from './png-codec.ts';
import { wasmInstance } from './wasm-instance.ts';

/** What every codec returns: 8-bit RGBA. */
export type CodecImage = PngRgba;

// A failed decode drops the instance: an aborted emscripten module stays aborted, and a Rust panic leaves the
// PNG instance's allocator in an unknown state.
const png = wasmInstance(async () => new PngCodec(), (codec) => codec.memoryBytes);
const webp = wasmInstance(() => initWebp(webpFactory, webpWasm), (module) => module.HEAP8.byteLength);
const avif = wasmInstance(() => initAvif(avifFactory, avifWasm), (module) => module.HEAP8.byteLength);

/** The RGBA is lent to `use` inside wasm memory (not copied to JS) and freed when `use` returns. */
export function withPngRgba<R>(bytes: Uint8Array, use: (image: CodecImage) => R): Promise<R> {
  return png.use((codec) => codec.decode(bytes, use));
}

/** A 16-bit PNG rounded to 8 bits into a JS array. */
export function decodePng16To8(bytes: Uint8Array): Promise<CodecImage> {
  return png.use((codec) => codec.decode16To8(bytes));
}

export function decodeWebpRgba(bytes: Uint8Array): Promise<CodecImage> {
  return webp.use((module) => orFail(module.decode(bytes), 'WebP'));
}

export function decodeAvifRgba(bytes: Uint8Array): Promise<CodecImage> {
  return avif.use((module) => orFail(module.decode(bytes, 8), 'AVIF'));
}

/**
 * Wasm memory each codec's instance had at the end of its last call: its high-water mark during that call, since
 * wasm memory never shrinks (what the memory-budget test reads).
 */
export function lastCodecMemoryBytes(): { png: number; webp: number; avif: number } {
  return { png: png.lastMemoryBytes(), webp: webp.lastMemoryBytes(), avif: avif.lastMemoryBytes() };
}

/** Wasm memory each codec keeps between requests: what the isolate holds after the last decode. */
export async function keptCodecMemoryBytes(): Promise<{ png: number; webp: number; avif: number }> {
  return { png: await png.keptMemoryBytes(), webp: await webp.keptMemoryBytes(), avif: await avif.keptMemoryBytes() };
}

function orFail<T>(image: T | null, format: string): T {
  if (!image) throw new Error(`the ${format} decoder returned no image`);
  return image;
}
