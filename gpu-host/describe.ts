/** @module Plain-data snapshots of Dawn's adapter/device attributes (Dawn exposes them as getters, which JSON skips). */
import type { AdapterDescription, AdapterInfo, DeviceDescription } from '../bridge/protocol.ts';

function limitsOf(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  // for-in walks the prototype getters dawn.node defines.
  for (const k in limits) {
    const v = (limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/** The adapter's info strings as plain data; dawn.node may leave some undefined. */
export function adapterInfoOf(info: GPUAdapterInfo): AdapterInfo {
  return { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
}

export function describeAdapter(adapter: GPUAdapter, featureLevel: 'core' | 'compatibility'): AdapterDescription {
  const info = adapter.info;
  return {
    info: adapterInfoOf(info),
    limits: limitsOf(adapter.limits),
    features: [...adapter.features],
    featureLevel,
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
  };
}

export function describeDevice(device: GPUDevice): DeviceDescription {
  return { limits: limitsOf(device.limits), features: [...device.features] };
}
