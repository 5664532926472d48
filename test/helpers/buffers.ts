/** @module Counts the GPU buffers a device creates and destroys, to check what a session or a DeviceModel owns. */

export interface BufferTracker {
  created: GPUBuffer[];
  destroyed: Set<GPUBuffer>;
  /** Buffers created and not yet destroyed. */
  live(): GPUBuffer[];
  restore(): void;
}

/** Wraps `device.createBuffer` and each new buffer's `destroy` until `restore()`. */
export function trackBuffers(device: GPUDevice): BufferTracker {
  const created: GPUBuffer[] = [];
  const destroyed = new Set<GPUBuffer>();
  const original = device.createBuffer;
  device.createBuffer = function (descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = original.call(device, descriptor);
    const destroy = buffer.destroy;
    buffer.destroy = function (): undefined {
      destroyed.add(buffer);
      return destroy.call(buffer);
    };
    created.push(buffer);
    return buffer;
  };
  return { created, destroyed, live: () => created.filter((b) => !destroyed.has(b)), restore: () => void (device.createBuffer = original) };
}
