/**
 * @module @jsquash/png's Rust decoder (squoosh_png_bg.wasm) on an instance of our own. The package's
 * wasm-bindgen glue keeps one instance in a module variable for the life of the isolate, with no way to drop it,
 * and wasm memory never shrinks: one large PNG would leave its whole high-water memory (file + RGBA + the
 * decoder's buffers) behind for every later request. Instantiating the module here lets codecs.ts release an
 * instance that grew, as the JPEG path does. The imports below are the glue's for @jsquash/png 3.1.1 (pinned in
 * package.json): the import names carry wasm-bindgen's hashes, so another version fails at instantiation, loudly.
 */
// @ts-expect-error -- its .d.ts types the wasm's instance exports; as a CompiledWasm import the default is the Module.
import pngWasmModule from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';

const pngWasm = pngWasmModule as WebAssembly.Module;

export interface PngRgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** The RGBA Vec Rust handed over, still in wasm memory: `data` views it until it is freed. */
interface OwnedRgba extends PngRgba {
  pointer: number;
}

interface PngExports {
  memory: { buffer: ArrayBuffer };
  decode(pointer: number, length: number): number;
  decode_rgba16(pointer: number, length: number): number;
  imagedatargba16_width(pointer: number): number;
  imagedatargba16_height(pointer: number): number;
  imagedatargba16_data(pointer: number): number;
  __wbg_imagedatargba16_free(pointer: number): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(pointer: number, size: number, align: number): void;
}

/** The WebAssembly global's values, typed here: images/ also compiles under Node's types, which declare none. */
const Wasm = (globalThis as unknown as { WebAssembly: { Instance: new (module: WebAssembly.Module, imports: Record<string, Record<string, unknown>>) => { exports: unknown } } }).WebAssembly;

/** wasm-bindgen hands JS values to Rust as indices; indices below 132 are its reserved constants. */
const FIRST_OBJECT = 132;

export class PngCodec {
  readonly #exports: PngExports;
  readonly #objects = new Map<number, unknown>();
  #next = FIRST_OBJECT;

  constructor() {
    const hold = (value: unknown): number => {
      const index = this.#next++;
      this.#objects.set(index, value);
      return index;
    };
    const object = (index: number): unknown => this.#objects.get(index);
    const text = (pointer: number, length: number): string => new TextDecoder().decode(this.#bytes(pointer, length));
    const instance = new Wasm.Instance(pngWasm, {
      wbg: {
        __wbindgen_memory: () => hold(this.#exports.memory),
        __wbg_buffer_a448f833075b71ba: (memory: number) => hold((object(memory) as PngExports['memory']).buffer),
        __wbg_newwithbyteoffsetandlength_099217381c451830: (buffer: number, offset: number, length: number) =>
          hold(new Uint16Array(object(buffer) as ArrayBuffer, offset >>> 0, length >>> 0)),
        __wbindgen_object_drop_ref: (index: number) => {
          this.#objects.delete(index);
        },
        // Rust hands over an RGBA Vec it allocated. The glue copies it out and frees it; decode() lends the view
        // instead and frees it afterwards, so the image is never held twice (wasm + JS).
        __wbg_newwithownedu8clampedarrayandsh_91db5987993a08fb: (pointer: number, length: number, width: number, height: number) => {
          const data = new Uint8ClampedArray(this.#exports.memory.buffer, pointer >>> 0, length >>> 0);
          return hold({ width: width >>> 0, height: height >>> 0, data, pointer: pointer >>> 0 } satisfies OwnedRgba);
        },
        __wbindgen_throw: (pointer: number, length: number) => {
          throw new Error(text(pointer, length));
        },
      },
    });
    this.#exports = instance.exports as PngExports;
  }

  /** Bytes of wasm memory this instance holds now (its high-water mark: wasm memory never shrinks). */
  get memoryBytes(): number {
    return this.#exports.memory.buffer.byteLength;
  }

  /**
   * 8-bit RGBA, lent to `use` as a view of wasm memory and freed when it returns: `use` must not keep it (nor
   * call into this instance, which could grow the memory and detach the view).
   */
  decode<R>(png: Uint8Array, use: (image: PngRgba) => R): R {
    const image = this.#take(this.#exports.decode(...this.#pass(png))) as OwnedRgba;
    try {
      return use({ width: image.width, height: image.height, data: image.data });
    } finally {
      this.#exports.__wbindgen_free(image.pointer, image.data.length, 1);
    }
  }

  /**
   * A 16-bit PNG decoded at 16 bits and rounded to 8 (v / 257, as PIL converts; the codec's own 8-bit path would
   * truncate), read straight from wasm memory into the JS result: no 16-bit copy in JS.
   */
  decode16To8(png: Uint8Array): PngRgba {
    const e = this.#exports;
    const image = e.decode_rgba16(...this.#pass(png));
    try {
      const wide = this.#take(e.imagedatargba16_data(image)) as Uint16Array;
      const data = new Uint8ClampedArray(wide.length);
      for (let i = 0; i < data.length; i++) data[i] = Math.round(wide[i] / 257);
      return { width: e.imagedatargba16_width(image) >>> 0, height: e.imagedatargba16_height(image) >>> 0, data };
    } finally {
      e.__wbg_imagedatargba16_free(image);
    }
  }

  /** Copies `bytes` into wasm memory; Rust owns (and frees) the copy. */
  #pass(bytes: Uint8Array): [number, number] {
    const pointer = this.#exports.__wbindgen_malloc(bytes.length, 1) >>> 0;
    this.#bytes(pointer, bytes.length).set(bytes);
    return [pointer, bytes.length];
  }

  #take(index: number): unknown {
    const value = this.#objects.get(index);
    this.#objects.delete(index);
    return value;
  }

  #bytes(pointer: number, length: number): Uint8Array {
    return new Uint8Array(this.#exports.memory.buffer, pointer >>> 0, length >>> 0);
  }
}
