/**
 * @module The CLI's WebGPU device: opened once per command (one device serves every test dir) through Dawn.
 * `WEBGPU_BACKEND` picks a Dawn backend as in the test suite (default: auto, real GPU else llvmpipe).
 */
import { openDawnDevice, type AdapterSummary, type DawnAdapter, type DawnBackend } from '../gpu-host/dawn.ts';

export interface CliDevice {
  device: GPUDevice;
  /** True on a CPU rasteriser: kernels pick their software variants. */
  software: boolean;
  adapter: AdapterSummary;
  featureLevel: 'core' | 'compatibility';
  /**
   * The Dawn instance and adapter behind `device`. Kept referenced on purpose: when the GPU instance object is
   * garbage-collected while its device is still in use, dawn.node crashes the process (segfault / glibc abort).
   */
  owner: DawnAdapter;
}

export async function openCliDevice(): Promise<CliDevice> {
  const backend = (process.env.WEBGPU_BACKEND ?? 'auto') as DawnBackend;
  const found = await openDawnDevice(backend);
  return { device: found.device, software: found.software, adapter: found.info, featureLevel: found.featureLevel, owner: found };
}

/** One line naming the adapter, e.g. `llvmpipe (LLVM 15.0.7, 256 bits) [opengles, compatibility, software]`. */
export function describeAdapter(d: CliDevice): string {
  const a = d.adapter;
  const name = [a.vendor, a.device, a.description].filter(Boolean).join(' ').trim() || 'unknown adapter';
  return `${name} [${a.backend}, ${d.featureLevel}, ${d.software ? 'software' : 'hardware'}]`;
}
