/**
 * @module The engine's use of device limits: dispatch folding and binding size checks (the limits a device is
 * opened with are gpu/device.ts's).
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

export function checkBindingSize(what: string, bytes: number, limits: GPUSupportedLimits): void {
  if (bytes > limits.maxStorageBufferBindingSize) throw new LimitExceededError(`${what} binding size (bytes)`, bytes, limits.maxStorageBufferBindingSize);
}
