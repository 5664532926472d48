/**
 * @module A real WebGPU device for tests: Dawn's default backend on a real GPU, else OpenGL ES on llvmpipe.
 * Tests never skip when no adapter exists: `getTestDevice` throws with the reason and the fix.
 */
import { openDawnDevice, type DawnAdapter } from '../../gpu-host/dawn.ts';

let shared: Promise<DawnAdapter & { device: GPUDevice }> | undefined;

/** One device per test worker process: opening Dawn costs ~100 ms and each device holds GPU memory. */
export function getTestDevice(): Promise<DawnAdapter & { device: GPUDevice }> {
  shared ??= openDawnDevice((process.env.WEBGPU_BACKEND as never) ?? 'auto');
  return shared;
}
