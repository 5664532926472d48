/**
 * @module mozjpeg, instantiated by hand instead of through @jsquash/jpeg's decode(): its messages go to our
 * printErr, and the decode call is synchronous, so every message seen during one call belongs to that call even
 * when requests interleave in the isolate. libjpeg reports a starved entropy-coded segment ("premature end of
 * data segment") only as a warning and fills the rest of the image with grey; that warning is an error here.
 */
import mozjpegFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import jpegWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';

export interface JpegDecodeResult {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** libjpeg warnings/errors printed during this decode. */
  messages: string[];
}

interface MozJpeg {
  decode(data: BufferSource, preserveOrientation: boolean): { width: number; height: number; data: Uint8ClampedArray } | null;
}

let instance: Promise<MozJpeg> | undefined;
let sink: string[] | null = null;

function instantiate(): Promise<MozJpeg> {
  const factory = mozjpegFactory as unknown as (options: object) => Promise<MozJpeg>;
  return factory({
    noInitialRun: true,
    // Workers cannot compile wasm bytes at runtime: instantiate the precompiled module synchronously.
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
      const wasm = new WebAssembly.Instance(jpegWasm, imports);
      done(wasm);
      return wasm.exports;
    },
    printErr(message: string) {
      if (sink) sink.push(message);
      else console.warn(`mozjpeg: ${message}`);
    },
  });
}

/** Decodes to RGBA without applying EXIF orientation. Throws whatever the codec throws. */
export async function decodeMozJpeg(bytes: Uint8Array): Promise<JpegDecodeResult> {
  instance ??= instantiate();
  const codec = await instance;
  const messages: string[] = [];
  sink = messages;
  try {
    const image = codec.decode(bytes, false);
    if (!image) throw new Error('mozjpeg returned no image');
    return { width: image.width, height: image.height, data: image.data, messages };
  } catch (e) {
    // A C++ exception or abort can leave the instance unusable; the next request gets a fresh one.
    instance = undefined;
    throw e instanceof Error ? e : new Error(messages.join('; ') || 'mozjpeg failed');
  } finally {
    sink = null;
  }
}
