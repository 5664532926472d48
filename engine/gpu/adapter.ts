/** @module What the engine reads from adapter info: whether a CPU rasteriser serves WebGPU. */

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software/i;

/** True for CPU rasterisers (Mesa llvmpipe/lavapipe, SwiftShader), where register tiling beats workgroup memory. */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string }): boolean {
  return SOFTWARE_ADAPTER.test(`${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`);
}
