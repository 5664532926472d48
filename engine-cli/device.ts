/**
 * @module The CLI's WebGPU device: opened once per command (one device serves every test dir) through Dawn.
 * `WEBGPU_BACKEND` picks a Dawn backend as in the test suite (default: auto, real GPU else llvmpipe).
 */
import { openDawnDevice, type DawnAdapter, type DawnBackend } from '../gpu-host/dawn.ts';

/**
 * The device with the adapter facts `openDawnDevice` found (`software`: a CPU rasteriser, so kernels pick their
 * software variants). dawn.ts ties the Dawn instance's life to the device, so nothing else needs keeping.
 */
export type CliDevice = DawnAdapter & { device: GPUDevice };

export function openCliDevice(): Promise<CliDevice> {
  return openDawnDevice((process.env.WEBGPU_BACKEND ?? 'auto') as DawnBackend);
}

/** One line naming the adapter, e.g. `llvmpipe (LLVM 15.0.7, 256 bits) [opengles, compatibility, software]`. */
export function describeAdapter(d: CliDevice): string {
  const a = d.info;
  const name = [a.vendor, a.device, a.description].filter(Boolean).join(' ').trim() || 'unknown adapter';
  return `${name} [${a.backend}, ${d.featureLevel}, ${d.software ? 'software' : 'hardware'}]`;
}
