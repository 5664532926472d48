/**
 * @module Device limits in one place: dispatch folding and binding size checks.
 * @see https://www.w3.org/TR/webgpu/#dom-supported-limits-maxcomputeworkgroupsperdimension
 */
import { LimitExceededError } from '../errors.ts';

/**
 * Folds a 1-D workgroup count into (x, y) with x * y >= count and both within the per-dimension limit.
 * Kernels recover the linear id as `wid.x + wid.y * nwg.x` and skip ids >= their count (shaders/common).
 */
export function foldWorkgroups(count: number, limits: GPUSupportedLimits): [number, number] {
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [Math.max(1, count), 1];
  const y = Math.ceil(count / max);
  if (y > max) throw new LimitExceededError('workgroup count', count, max * max);
  return [Math.ceil(count / y), y];
}

/**
 * The limits every device the engine runs on is opened with: the adapter's own maxima for binding and buffer
 * sizes (big weights) and compute resources, since WebGPU's defaults are lower than many GPUs offer. One list
 * for dawn.node, the GPU host bridge (the Durable Object) and the bench, so they all run the same device.
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

export function checkBindingSize(what: string, bytes: number, limits: GPUSupportedLimits): void {
  if (bytes > limits.maxStorageBufferBindingSize) throw new LimitExceededError(`${what} binding size (bytes)`, bytes, limits.maxStorageBufferBindingSize);
}
