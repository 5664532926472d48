/** @module Buffer creation shared by the weights (DeviceModel) and the plans (InferenceSession). */

/** A buffer of at least `size` bytes: bindings must be non-empty 4-byte multiples. */
export function createBuffer(device: GPUDevice, size: number, usage: number, label: string): GPUBuffer {
  return device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
}

/** A buffer holding `data`, written through the queue (no mapping, so it works over the GPU host bridge too). */
export function uploadBuffer(device: GPUDevice, data: ArrayBufferView, usage: number, label: string): GPUBuffer {
  const buffer = createBuffer(device, data.byteLength, usage | GPUBufferUsage.COPY_DST, label);
  writeBufferPadded(device, buffer, 0, data);
  return buffer;
}

/** writeBuffer for any byte length: WebGPU wants a multiple of 4, so a ragged tail is written from a padded copy. */
export function writeBufferPadded(device: GPUDevice, buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
  let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // dawn.node refuses views of a SharedArrayBuffer (e.g. threaded wasm memory), and a ragged length: copy those.
  const shared = typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer;
  if (shared || bytes.byteLength % 4 !== 0) {
    const copy = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
    copy.set(bytes);
    bytes = copy;
  }
  device.queue.writeBuffer(buffer, offset, bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
