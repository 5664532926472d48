/**
 * @module WebGPU's flag namespaces (GPUBufferUsage, GPUMapMode, GPUShaderStage) for runtimes that have none
 * (workerd). Values are fixed by the WebGPU spec.
 */

const CONSTANTS = {
  GPUBufferUsage: {
    MAP_READ: 0x0001,
    MAP_WRITE: 0x0002,
    COPY_SRC: 0x0004,
    COPY_DST: 0x0008,
    INDEX: 0x0010,
    VERTEX: 0x0020,
    UNIFORM: 0x0040,
    STORAGE: 0x0080,
    INDIRECT: 0x0100,
    QUERY_RESOLVE: 0x0200,
  },
  GPUMapMode: { READ: 0x0001, WRITE: 0x0002 },
  GPUShaderStage: { VERTEX: 0x1, FRAGMENT: 0x2, COMPUTE: 0x4 },
  GPUTextureUsage: { COPY_SRC: 0x01, COPY_DST: 0x02, TEXTURE_BINDING: 0x04, STORAGE_BINDING: 0x08, RENDER_ATTACHMENT: 0x10 },
  GPUColorWrite: { RED: 0x1, GREEN: 0x2, BLUE: 0x4, ALPHA: 0x8, ALL: 0xf },
} as const;

export const MAP_WRITE = CONSTANTS.GPUMapMode.WRITE;

/** Defines each namespace on globalThis only where the runtime lacks it (never overrides a native one). */
export function installWebGPUConstants(): void {
  const g = globalThis as Record<string, unknown>;
  for (const [name, values] of Object.entries(CONSTANTS)) {
    if (g[name] === undefined) Object.defineProperty(g, name, { value: Object.freeze({ ...values }), configurable: true, writable: true });
  }
}
