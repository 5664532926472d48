/**
 * @module mozjpeg, instantiated by hand instead of through @jsquash/jpeg's decode(): its messages go to our
 * printErr, and the decode call is synchronous, so every message seen during one call belongs to that call even
 * when requests interleave in the isolate. libjpeg reports a starved entropy-coded segment ("premature end of
 * data segment") only as a warning and fills the rest of the image with grey; that warning is an error here.
 */
import mozjpegFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import { initEmscriptenModule } from '@jsquash/jpeg/utils.js';
import jpegWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import { wasmInstance } from './wasm-instance.ts';

export interface JpegDecodeResult {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** libjpeg warnings/errors printed during this decode. */
  messages: string[];
}

interface MozJpeg {
  decode(data: Uint8Array, preserveOrientation: boolean): { width: number; height: number; data: Uint8ClampedArray } | null;
}

let sink: string[] | null = null;

function printErr(message: string): void {
  if (sink) sink.push(message);
  else console.warn(`mozjpeg: ${message}`);
}

function instantiate(): Promise<MozJpeg> {
  // jsquash's helper instantiates the precompiled module synchronously (workerd cannot compile wasm bytes);
  // printErr is an emscripten Module option its ModuleOpts type leaves out.
  const options = { printErr } as Parameters<typeof initEmscriptenModule>[2];
  return initEmscriptenModule(mozjpegFactory, jpegWasm, options) as unknown as Promise<MozJpeg>;
}

// A C++ exception or abort can leave the instance unusable; a failed decode drops it (wasm-instance.ts).
const mozjpeg = wasmInstance(instantiate);

/** Decodes to RGBA without applying EXIF orientation. Throws whatever the codec throws. */
export function decodeMozJpeg(bytes: Uint8Array): Promise<JpegDecodeResult> {
  return mozjpeg.use((codec) => {
    const messages: string[] = [];
    sink = messages;
    try {
      const image = codec.decode(bytes, false);
      if (!image) throw new Error('mozjpeg returned no image');
      return { width: image.width, height: image.height, data: image.data, messages };
    } catch (e) {
      throw e instanceof Error ? e : new Error(messages.join('; ') || 'mozjpeg failed');
    } finally {
      sink = null;
    }
  });
}
