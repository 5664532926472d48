/**
 * @module One description of a kernel's uniform block that both emits the WGSL struct and packs the host
 * buffer, so shader and host cannot drift apart (engine/wgsl/module.ts generates the struct into the module).
 *
 * @example
 * const PARAMS = defineParams({ size: 'u32', alpha: 'f32', rank: 'u32', dims: 'dims' });
 * const packed = PARAMS.pack({ size: 10, alpha: 0.1, rank: 3, dims: [2, 5, 1] }); // a uniform binding's data
 */

/** Dims of a tensor of up to MAX_RANK dims fit one `dims` field (shaders/common/indexing.wgsl walks them). */
export const MAX_RANK = 8;

/**
 * Scalars, 4-vectors, and `dims`: MAX_RANK u32s as `array<vec4<u32>, MAX_RANK / 4>` (alias `Dims`), since a
 * uniform array's elements must be 16 bytes apart. Every field then sits at a multiple of 4 bytes, vectors at 16.
 */
export type ParamType = 'u32' | 'i32' | 'f32' | 'vec4u' | 'vec4i' | 'vec4f' | 'dims';

export type ParamValues<F extends Record<string, ParamType>> = {
  [K in keyof F]: F[K] extends 'u32' | 'i32' | 'f32' ? number : readonly number[];
};

/** A uniform block's bytes together with the WGSL struct that describes them (what the module declares). */
export interface PackedParams {
  readonly struct: string;
  readonly data: Uint32Array;
}

export interface ParamBlock<F extends Record<string, ParamType>> {
  readonly fields: F;
  /** `struct Params { ... }`. */
  readonly wgsl: string;
  /** Byte size, padded to 16 as uniform buffers require. */
  readonly byteSize: number;
  pack(values: ParamValues<F>): PackedParams;
}

const WGSL_TYPE: Record<ParamType, string> = { u32: 'u32', i32: 'i32', f32: 'f32', vec4u: 'vec4<u32>', vec4i: 'vec4<i32>', vec4f: 'vec4<f32>', dims: 'Dims' };
/** Values a field holds: 1 for scalars. */
const LENGTH: Record<ParamType, number> = { u32: 1, i32: 1, f32: 1, vec4u: 4, vec4i: 4, vec4f: 4, dims: MAX_RANK };

/** The WGSL alias every module gets with its Params struct. */
export const DIMS_ALIAS = `alias Dims = array<vec4<u32>, ${MAX_RANK / 4}>;`;

export function defineParams<F extends Record<string, ParamType>>(fields: F): ParamBlock<F> {
  const layout: { name: string; type: ParamType; offset: number }[] = [];
  let offset = 0;
  for (const [name, type] of Object.entries(fields)) {
    const scalar = LENGTH[type] === 1;
    if (!scalar) offset = Math.ceil(offset / 16) * 16; // WGSL: vec4 and arrays of vec4 align to 16 bytes
    layout.push({ name, type, offset });
    offset += LENGTH[type] * 4;
  }
  const byteSize = Math.max(16, Math.ceil(offset / 16) * 16);
  const wgsl = `struct Params {\n${layout.map((f) => `  ${f.name}: ${WGSL_TYPE[f.type]},`).join('\n')}\n}\n`;
  return {
    fields,
    wgsl,
    byteSize,
    pack(values) {
      const buf = new ArrayBuffer(byteSize);
      const u = new Uint32Array(buf);
      const i = new Int32Array(buf);
      const f = new Float32Array(buf);
      for (const field of layout) {
        const v = values[field.name as keyof F] as number | readonly number[];
        const base = field.offset / 4;
        const items = Array.isArray(v) ? (v as readonly number[]) : [v as number];
        if (items.length > LENGTH[field.type]) throw new RangeError(`param ${field.name}: ${items.length} values, at most ${LENGTH[field.type]}`);
        items.forEach((x, k) => {
          if (field.type === 'f32' || field.type === 'vec4f') f[base + k] = x;
          else if (field.type === 'i32' || field.type === 'vec4i') i[base + k] = x;
          else u[base + k] = x >>> 0;
        });
      }
      return { struct: wgsl, data: u };
    },
  };
}
