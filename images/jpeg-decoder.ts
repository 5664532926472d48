/**
 * @module libjpeg-turbo (images/libjpeg/, built by scripts/build-libjpeg-wasm.sh) decoding a JPEG at a DCT scale
 * and keeping only the rectangle of rows and columns the resize reads. The file is handed to libjpeg in 64 KiB
 * pieces, never copied whole into wasm memory; wasm memory then holds libjpeg's working buffers, a whole-image
 * coefficient buffer for progressive files, one scanline and the region. libjpeg's errors throw, its warnings
 * are returned, and a starved scan ("premature end") is an error (decoder.c).
 *
 * One instance serves the isolate. It is dropped after a decode that throws (the unwound C stack leaves it
 * unusable) and after one that grew its memory past KEEP_MEMORY_BYTES: wasm memory never shrinks, so the
 * instance a large progressive photo grew is released with it instead of staying for the isolate's lifetime.
 */
import libjpegModule from './libjpeg/libjpeg-turbo.wasm';
// A 12 MP baseline photo needs about 2 MB of it.
import { KEEP_MEMORY_BYTES } from './wasm-instance.ts';

const READ_CHUNK_BYTES = 65536;

export interface JpegHeader {
  width: number;
  height: number;
  components: number;
  progressive: boolean;
  /** Bytes of the whole-image coefficient buffer libjpeg allocates for a progressive/multi-scan file, else 0. */
  coefficientBytes: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ScaledJpeg {
  /** Size of the whole image at the chosen scale (libjpeg's output_width/height). */
  width: number;
  height: number;
  /** The rectangle `data` holds, in scaled coordinates. */
  region: Rect;
  /** Packed RGB of the region, region.width * 3 bytes a row. */
  data: Uint8Array;
  /** libjpeg warnings the decode survived. */
  warnings: string[];
}

export interface JpegPlan {
  /** The DCT scale denominator (1, 2, 4 or 8) for this header; throw to refuse the file. */
  scale(header: JpegHeader): number;
  /** The rectangle of the scaled image to keep. */
  region(width: number, height: number): Rect;
  /** libjpeg's max_memory_to_use: a whole-image buffer above it fails instead of growing wasm memory. */
  maxMemoryBytes: number;
}

/** The WebAssembly global's values, typed here: images/ also compiles under Node's types, which declare none. */
interface WasmValues {
  Instance: new (module: WebAssembly.Module, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  RuntimeError: abstract new () => Error;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmValues }).WebAssembly;

/** A trap inside a wasm codec (out-of-bounds access, unreachable): the input's fault as far as we can tell. */
export function isWasmTrap(e: unknown): boolean {
  return e instanceof Wasm.RuntimeError;
}

interface LibJpegExports {
  memory: { buffer: ArrayBuffer };
  _initialize(): void;
  malloc(size: number): number;
  free(pointer: number): void;
  jd_open(): number;
  jd_start(scaleDenominator: number, maxMemory: number): number;
  jd_read_region(out: number, x: number, y: number, width: number, height: number): void;
  jd_close(): void;
}

/** A failure reported by libjpeg (its own message), as opposed to a fault in our code. */
export class LibJpegError extends Error {
  override readonly name = 'LibJpegError';
}

class LibJpeg {
  readonly exports: LibJpegExports;
  #input: Uint8Array = new Uint8Array();
  #offset = 0;
  #warnings: string[] = [];

  constructor() {
    const fail = (what: string) => () => {
      throw new LibJpegError(`libjpeg called ${what}`);
    };
    const instance = new Wasm.Instance(libjpegModule, {
      env: {
        jd_fail: (message: number) => {
          throw new LibJpegError(this.#string(message));
        },
        jd_warn: (message: number) => {
          this.#warnings.push(this.#string(message));
        },
        jd_read: (buffer: number, size: number) => this.#read(buffer, size),
        emscripten_notify_memory_growth: () => {},
      },
      // Linked in by libjpeg's default error manager and abort(), never reached with decoder.c's handlers.
      wasi_snapshot_preview1: { proc_exit: fail('exit'), fd_close: fail('close'), fd_write: fail('write'), fd_seek: fail('seek') },
    });
    this.exports = instance.exports as unknown as LibJpegExports;
    this.exports._initialize();
  }

  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  decode(bytes: Uint8Array, plan: JpegPlan): ScaledJpeg {
    this.#input = bytes;
    this.#offset = 0;
    const warnings: string[] = [];
    this.#warnings = warnings;
    const { exports } = this;
    let out = 0;
    try {
      const h = this.#doubles(exports.jd_open(), 6);
      const header: JpegHeader = { width: h[0], height: h[1], components: h[2], progressive: h[4] === 1, coefficientBytes: h[5] };
      const [width, height] = this.#doubles(exports.jd_start(plan.scale(header), plan.maxMemoryBytes), 2);
      const region = plan.region(width, height);
      out = exports.malloc(region.width * region.height * 3);
      if (out === 0) throw new LibJpegError(`out of memory for a ${region.width}x${region.height} region`);
      exports.jd_read_region(out, region.x, region.y, region.width, region.height);
      // Copied out: the instance may be dropped, and its memory buffer is replaced whenever it grows.
      const data = new Uint8Array(exports.memory.buffer, out, region.width * region.height * 3).slice();
      return { width, height, region, data, warnings };
    } finally {
      this.#input = new Uint8Array();
      if (out !== 0) exports.free(out);
    }
  }

  #read(buffer: number, size: number): number {
    const n = Math.min(size, this.#input.length - this.#offset, READ_CHUNK_BYTES);
    new Uint8Array(this.exports.memory.buffer, buffer, n).set(this.#input.subarray(this.#offset, this.#offset + n));
    this.#offset += n;
    return n;
  }

  #doubles(pointer: number, count: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, pointer, count).slice();
  }

  #string(pointer: number): string {
    const heap = new Uint8Array(this.exports.memory.buffer);
    const end = heap.indexOf(0, pointer);
    return new TextDecoder().decode(heap.subarray(pointer, end < 0 ? pointer : end));
  }
}

let shared: LibJpeg | undefined;

/**
 * Decodes `bytes` as `plan` says. Synchronous from start to end, so concurrent requests in the isolate never
 * interleave inside the instance. Throws LibJpegError for what libjpeg refuses, or whatever `plan` throws.
 */
export function decodeJpegScaled(bytes: Uint8Array, plan: JpegPlan): ScaledJpeg {
  const decoder = shared ?? new LibJpeg();
  shared = undefined;
  const result = decoder.decode(bytes, plan);
  if (decoder.memoryBytes <= KEEP_MEMORY_BYTES) shared = decoder;
  return result;
}

/** Wasm memory of the instance kept for the next decode (0 when none is kept): what the isolate holds between requests. */
export function keptJpegMemoryBytes(): number {
  return shared?.memoryBytes ?? 0;
}
