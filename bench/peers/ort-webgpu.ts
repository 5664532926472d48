/**
 * @module Peer `ort-webgpu`: onnxruntime-web's WebGPU EP on the same Dawn instance and adapter as ours.
 *
 * ORT expects a browser: it looks for `navigator.gpu` when its webgpu bundle is imported and requests its own
 * adapter and device. Three adjustments make it run on dawn.node:
 * 1. `navigator.gpu` is ours (Node 20 has no navigator), installed before the import;
 * 2. requestAdapter is forced to our feature level (llvmpipe only offers `compatibility`; core returns null);
 * 3. its queue copies SharedArrayBuffer-backed data (ORT's threaded wasm heap) before writeBuffer, which
 *    dawn.node rejects.
 */
import type { LoadedPeer, Peer, PeerContext } from './types.ts';
import { loadOrtWeb } from './ort-web-session.ts';

type WriteBuffer = GPUQueue['writeBuffer'];

/** Copies views of a SharedArrayBuffer into a plain buffer before they reach dawn.node. */
function patchQueue(queue: GPUQueue): void {
  const original = queue.writeBuffer.bind(queue) as (...args: unknown[]) => undefined;
  const patched = (buffer: GPUBuffer, offset: number, data: ArrayBuffer | ArrayBufferView | SharedArrayBuffer, dataOffset?: number, size?: number) => {
    if (data instanceof SharedArrayBuffer) data = data.slice(0);
    else if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      // Keep the element type: dataOffset and size count elements of a typed array.
      const ctor = data.constructor as new (b: ArrayBuffer) => ArrayBufferView;
      data = data instanceof DataView ? new DataView(bytes.buffer) : new ctor(bytes.buffer);
    }
    return original(buffer, offset, data, dataOffset, size);
  };
  Object.defineProperty(queue, 'writeBuffer', { value: patched as WriteBuffer, configurable: true });
}

/** A navigator.gpu that hands ORT an adapter from our Dawn instance, at our feature level, with a patched device. */
function gpuForOrt(ctx: PeerContext): GPU {
  const { gpu, featureLevel } = ctx.dawn;
  const requestAdapter = async (options?: GPURequestAdapterOptions): Promise<GPUAdapter | null> => {
    const adapter = await gpu.requestAdapter({ ...options, featureLevel, powerPreference: 'high-performance' });
    if (!adapter) return null;
    const requestDevice = adapter.requestDevice.bind(adapter);
    Object.defineProperty(adapter, 'requestDevice', {
      configurable: true,
      value: async (descriptor?: GPUDeviceDescriptor) => {
        const device = await requestDevice(descriptor);
        patchQueue(device.queue);
        return device;
      },
    });
    return adapter;
  };
  return {
    requestAdapter,
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  } as GPU;
}

export const ortWebgpu: Peer = {
  name: 'ort-webgpu',
  async load(ctx: PeerContext): Promise<LoadedPeer> {
    const g = globalThis as { navigator?: { gpu?: GPU } };
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpuForOrt(ctx), configurable: true });
    else g.navigator = { gpu: gpuForOrt(ctx) };
    // Plain `onnxruntime-web` in Node is the wasm-only build; the webgpu EP lives in this bundle.
    const ort = await import('onnxruntime-web/webgpu');
    const peer = await loadOrtWeb(ort, ctx, { executionProviders: ['webgpu'] });
    const device = (await ort.env.webgpu.device) as GPUDevice | undefined;
    const info = device?.adapterInfo;
    return { ...peer, details: { adapter: info ? `${info.device} ${info.description}`.trim() : 'unknown' } };
  },
};
