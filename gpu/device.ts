/**
 * @module The WebGPU device every part of the project opens, in one place: the engine, the GPU host, the bench
 * and the Durable Object all import it (it imports nothing), so they run the same device, and the GPU host
 * needs nothing from the engine.
 * @see https://www.w3.org/TR/webgpu/#limits
 */

/**
 * The adapter's own maxima for binding and buffer sizes (big weights) and compute resources, since WebGPU's
 * defaults are lower than many GPUs offer.
 */
export function inferenceLimits(adapter: GPUAdapter): Record<string, number> {
  const l = adapter.limits;
  return {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
  };
}

/**
 * A device for inference: `adapter.requestDevice` with `inferenceLimits(adapter)`.
 * @example
 * const device = await openDevice((await navigator.gpu.requestAdapter())!);
 */
export function openDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  return adapter.requestDevice({ requiredLimits: inferenceLimits(adapter) });
}

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software/i;

/** True for CPU rasterisers (Mesa llvmpipe/lavapipe, SwiftShader), where register tiling beats workgroup memory. */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string }): boolean {
  return SOFTWARE_ADAPTER.test(`${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`);
}
