/**
 * @module Opens a WebGPU adapter through Dawn (npm `webgpu`, dawn.node). Node only.
 *
 * Dawn's default backend (Vulkan/Metal/D3D12) is used when it finds a real GPU. On machines without one
 * Dawn's Vulkan backend refuses Mesa's lavapipe, so we fall back to OpenGL ES on llvmpipe, which only
 * offers the `compatibility` feature level (core returns no adapter there).
 */
import { create, globals } from 'webgpu';
import type { AdapterInfo } from '../bridge/protocol.ts';
import { isSoftwareAdapter, openDevice } from '../gpu/device.ts';
import { adapterInfoOf } from './describe.ts';

export type DawnBackend = 'auto' | 'default' | 'vulkan' | 'opengles' | 'd3d12' | 'metal';

export interface DawnAdapter {
  gpu: GPU;
  adapter: GPUAdapter;
  /** The backend that produced the adapter. */
  backend: Exclude<DawnBackend, 'auto'>;
  /** `compatibility` on OpenGL ES, else `core`. */
  featureLevel: 'core' | 'compatibility';
  /** True when no real GPU was found and llvmpipe (a CPU rasteriser) is serving WebGPU. */
  software: boolean;
  info: AdapterSummary;
}

export interface AdapterSummary extends AdapterInfo {
  backend: string;
}

let globalsInstalled = false;

/**
 * dawn.node frees the Dawn instance when its `GPU` object is garbage-collected, even while an adapter or device
 * made from it is in use, which crashes the process later. Tie the instance's life to what callers keep.
 */
const instanceOf = new WeakMap<object, GPU>();

/** dawn.node's GPUBufferUsage etc. must be globals, as in a browser, before WebGPU code runs. */
function installWebGPUGlobals(): void {
  if (globalsInstalled) return;
  Object.assign(globalThis, globals);
  globalsInstalled = true;
}

/**
 * Finds an adapter. `auto` prefers Dawn's default backend with a hardware adapter and falls back to
 * OpenGL ES compatibility mode (llvmpipe). Throws with every attempt's outcome when none is found.
 */
export async function openDawnAdapter(backend: DawnBackend = 'auto'): Promise<DawnAdapter> {
  installWebGPUGlobals();
  // Mesa's EGL must not look for a display server: we only compute.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const attempts: string[] = [];
  const tryBackend = async (name: Exclude<DawnBackend, 'auto'>): Promise<DawnAdapter | undefined> => {
    const flags = name === 'default' ? [] : [`backend=${name}`];
    const gpu = create(flags) as unknown as GPU;
    const featureLevel = name === 'opengles' ? 'compatibility' : 'core';
    const adapter = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' });
    if (!adapter) {
      attempts.push(`${name} (${featureLevel}): no adapter`);
      return undefined;
    }
    instanceOf.set(adapter, gpu);
    const info: AdapterSummary = { ...adapterInfoOf(adapter.info), backend: name };
    const software = isSoftwareAdapter(info);
    return { gpu, adapter, backend: name, featureLevel, software, info };
  };
  if (backend !== 'auto') {
    const found = await tryBackend(backend);
    if (found) return found;
  } else {
    const hardware = await tryBackend('default');
    if (hardware && !hardware.software) return hardware;
    if (hardware) attempts.push(`default: only a software adapter (${hardware.info.description})`);
    const gles = await tryBackend('opengles');
    if (gles) return gles;
  }
  throw new Error(
    `No WebGPU adapter found (${attempts.join('; ')}). On a machine without a GPU driver install Mesa: ` +
      'apt-get install -y libvulkan1 mesa-vulkan-drivers libegl1 libgles2',
  );
}

/** Opens an adapter and a device with the adapter's own limits (the defaults are lower than many GPUs). */
export async function openDawnDevice(backend: DawnBackend = 'auto'): Promise<DawnAdapter & { device: GPUDevice }> {
  const found = await openDawnAdapter(backend);
  const device = await openDevice(found.adapter);
  instanceOf.set(device, found.gpu);
  return { ...found, device };
}
