/**
 * @module One description of a kernel's uniform block that both emits the WGSL struct and packs the host
 * buffer, so shader and host cannot drift apart (the struct is prepended to the kernel's `.wgsl` text).
 *
 * @example
 * const PARAMS = defineParams({ size: 'u32', alpha: 'f32', shape: 'vec4u' });
 * const code = PARAMS.wgsl + unaryWgsl;          // the shader uses `params.size`
 * const uniform = PARAMS.pack({ size: 10, alpha: 0.1, shape: [1, 2, 3, 4] });
 */

/** Scalars and 4-vectors only: every field then sits at a multiple of 4 bytes and vec4s at 16. */
export type ParamType = 'u32' | 'i32' | 'f32' | 'vec4u' | 'vec4i' | 'vec4f';

export type ParamValues<F extends Record<string, ParamType>> = {
  [K in keyof F]: F[K] extends 'vec4u' | 'vec4i' | 'vec4f' ? readonly number[] : number;
};

export interface ParamBlock<F extends Record<string, ParamType>> {
  /** `struct Params { ... }` plus the binding-independent declarations. */
  readonly wgsl: string;
  /** Byte size, padded to 16 as uniform buffers require. */
  readonly byteSize: number;
  pack(values: ParamValues<F>): Uint32Array;
}

const WGSL_TYPE: Record<ParamType, string> = { u32: 'u32', i32: 'i32', f32: 'f32', vec4u: 'vec4<u32>', vec4i: 'vec4<i32>', vec4f: 'vec4<f32>' };

export function defineParams<F extends Record<string, ParamType>>(fields: F): ParamBlock<F> {
  const layout: { name: string; type: ParamType; offset: number }[] = [];
  let offset = 0;
  for (const [name, type] of Object.entries(fields)) {
    const isVec = type.startsWith('vec4');
    if (isVec) offset = Math.ceil(offset / 16) * 16; // WGSL: vec4 aligns to 16 bytes
    layout.push({ name, type, offset });
    offset += isVec ? 16 : 4;
  }
  const byteSize = Math.max(16, Math.ceil(offset / 16) * 16);
  const wgsl = `struct Params {\n${layout.map((f) => `  ${f.name}: ${WGSL_TYPE[f.type]},`).join('\n')}\n}\n`;
  return {
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
        if (field.type.startsWith('vec4') && items.length > 4) throw new RangeError(`param ${field.name}: more than 4 values`);
        items.forEach((x, k) => {
          if (field.type === 'f32' || field.type === 'vec4f') f[base + k] = x;
          else if (field.type === 'i32' || field.type === 'vec4i') i[base + k] = x;
          else u[base + k] = x >>> 0;
        });
      }
      return u;
    },
  };
}
