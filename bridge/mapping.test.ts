import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGpuHost, type GpuHost } from '../gpu-host/server.ts';
import { connectBridgeGPU, getBridgeStats, installWebGPUConstants } from './client.ts';

const TOKEN = 'mapping-token';
let host: GpuHost;
let device: GPUDevice;
const U = () => GPUBufferUsage;

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, log: () => {} });
  device = await (await connectBridgeGPU(host.url, { token: TOKEN, WebSocket }).requestAdapter())!.requestDevice();
});
afterAll(async () => {
  device?.destroy();
  await host?.close();
});

async function readBack(src: GPUBuffer, size: number, offset = 0): Promise<Uint8Array> {
  const read = device.createBuffer({ size, usage: U().MAP_READ | U().COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, offset, read, 0, size);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const out = new Uint8Array(read.getMappedRange().slice(0));
  read.destroy();
  return out;
}

describe('buffer mapping and uploads', () => {
  it('MAP_WRITE: written ranges travel on unmap; mapState follows WebGPU', async () => {
    const buf = device.createBuffer({ size: 64, usage: U().MAP_WRITE | U().COPY_SRC });
    expect(buf.mapState).toBe('unmapped');
    const p = buf.mapAsync(GPUMapMode.WRITE);
    expect(buf.mapState).toBe('pending');
    await p;
    expect(buf.mapState).toBe('mapped');
    new Uint32Array(buf.getMappedRange(0, 32)).fill(0xaabbccdd);
    new Uint32Array(buf.getMappedRange(32, 32)).fill(0x11223344);
    expect(() => buf.getMappedRange(16, 8)).toThrow(/overlaps/);
    buf.unmap();
    expect(buf.mapState).toBe('unmapped');
    expect(() => buf.getMappedRange()).toThrow(/not mapped/);
    const got = new Uint32Array((await readBack(buf, 64)).buffer);
    expect([...got.slice(0, 8)]).toEqual(Array(8).fill(0xaabbccdd));
    expect([...got.slice(8)]).toEqual(Array(8).fill(0x11223344));
  });

  it('mappedAtCreation with sub-ranges, and a map of a sub-range for reading', async () => {
    const buf = device.createBuffer({ size: 256, usage: U().COPY_SRC | U().STORAGE, mappedAtCreation: true });
    expect(buf.mapState).toBe('mapped');
    new Float32Array(buf.getMappedRange(64, 64)).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    buf.unmap();
    const got = new Float32Array((await readBack(buf, 64, 64)).buffer);
    expect([...got]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(new Uint8Array(await readBack(buf, 64, 0)).every((b) => b === 0)).toBe(true);

    const read = device.createBuffer({ size: 256, usage: U().MAP_READ | U().COPY_DST });
    device.queue.writeBuffer(read, 0, new Uint8Array(256).map((_, i) => i));
    await read.mapAsync(GPUMapMode.READ, 128, 64);
    expect([...new Uint8Array(read.getMappedRange(136, 8))]).toEqual([136, 137, 138, 139, 140, 141, 142, 143]);
    expect(() => read.getMappedRange(0, 8)).toThrow(/outside the mapped range/);
    read.unmap();
  });

  it('unmap while a map is pending aborts it; a second map while pending is refused', async () => {
    const buf = device.createBuffer({ size: 16, usage: U().MAP_READ | U().COPY_DST });
    const p = buf.mapAsync(GPUMapMode.READ);
    await expect(buf.mapAsync(GPUMapMode.READ)).rejects.toThrow(/already pending/);
    buf.unmap();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(buf.mapState).toBe('unmapped');
    await buf.mapAsync(GPUMapMode.READ); // the buffer is still usable
    buf.unmap();
  });

  it('writeBuffer honours dataOffset/size in elements; copy overloads; clearBuffer ranges', async () => {
    const buf = device.createBuffer({ size: 32, usage: U().COPY_DST | U().COPY_SRC });
    device.queue.writeBuffer(buf, 0, new Uint32Array([9, 9, 1, 2, 3, 4, 9, 9]), 2, 4);
    device.queue.writeBuffer(buf, 16, new Uint8Array([5, 0, 0, 0, 6, 0, 0, 0]).buffer);
    expect(() => device.queue.writeBuffer(buf, 0, new Uint32Array(2), 1, 4)).toThrow(/exceeds/);
    const dst = device.createBuffer({ size: 32, usage: U().COPY_DST | U().COPY_SRC });
    const enc = device.createCommandEncoder();
    (enc.copyBufferToBuffer as unknown as (s: GPUBuffer, d: GPUBuffer, n: number) => void)(buf, dst, 24);
    enc.clearBuffer(dst, 4, 4);
    device.queue.submit([enc.finish()]);
    expect([...new Uint32Array((await readBack(dst, 32)).buffer)]).toEqual([1, 0, 3, 4, 5, 6, 0, 0]);
  });

  it('indirect dispatch and dynamic offsets', async () => {
    const module = device.createShaderModule({
      code: `@group(0) @binding(0) var<storage, read_write> out: array<u32>;
             @compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3<u32>) { out[id.x] = id.x + 1u; }`,
    });
    const layout = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage', hasDynamicOffset: true } }] });
    const pipeline = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
    const out = device.createBuffer({ size: 512, usage: U().STORAGE | U().COPY_SRC });
    const group = device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: out, size: 256 } }] });
    const indirect = device.createBuffer({ size: 12, usage: U().INDIRECT | U().COPY_DST });
    device.queue.writeBuffer(indirect, 0, new Uint32Array([3, 1, 1]));
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass({ label: 'indirect' });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [256]);
    pass.dispatchWorkgroupsIndirect(indirect, 0);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    const got = new Uint32Array((await readBack(out, 512)).buffer);
    expect([...got.slice(64, 68)]).toEqual([1, 2, 3, 0]);
    expect(got[0]).toBe(0);
  });

  it('a 20 MiB readback arrives in several frames (each far under workerd\'s 32 MiB limit), intact', async () => {
    const size = 20 << 20;
    const data = new Uint32Array(size / 4).map((_, i) => Math.imul(i, 2654435761) >>> 0);
    const before = getBridgeStats();
    const src = device.createBuffer({ size, usage: U().COPY_DST | U().COPY_SRC });
    device.queue.writeBuffer(src, 0, data);
    const got = await readBack(src, size);
    const after = getBridgeStats();
    expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
    expect(after.roundTrips - before.roundTrips).toBe(1);
    expect(after.messagesReceived - before.messagesReceived).toBeGreaterThanOrEqual(5);
    // The upload went out in chunks too (no single frame near the limit).
    expect(after.messagesSent - before.messagesSent).toBeGreaterThanOrEqual(3);
    src.destroy();
  });

  it('awaits issued together share one round trip', async () => {
    const a = device.createBuffer({ size: 16, usage: U().MAP_READ | U().COPY_DST });
    const b = device.createBuffer({ size: 16, usage: U().MAP_READ | U().COPY_DST });
    const before = getBridgeStats();
    await Promise.all([a.mapAsync(GPUMapMode.READ), b.mapAsync(GPUMapMode.READ), device.queue.onSubmittedWorkDone()]);
    expect(getBridgeStats().roundTrips - before.roundTrips).toBe(1);
  });

  it('device.destroy() aborts pending calls and later calls fail fast', async () => {
    const other = await (await connectBridgeGPU(host.url, { token: TOKEN, WebSocket }).requestAdapter())!.requestDevice();
    const buf = other.createBuffer({ size: 16, usage: U().MAP_READ | U().COPY_DST });
    const pending = buf.mapAsync(GPUMapMode.READ);
    other.destroy();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(await other.lost).toMatchObject({ reason: 'destroyed' });
    await expect(other.queue.onSubmittedWorkDone()).rejects.toThrow(/the device was destroyed/);
  });

  it('installWebGPUConstants fills in missing namespaces only', () => {
    const g = globalThis as Record<string, unknown>;
    const saved = { usage: g.GPUBufferUsage, map: g.GPUMapMode, stage: g.GPUShaderStage };
    try {
      delete g.GPUMapMode;
      const sentinel = { MAP_READ: 1 };
      g.GPUBufferUsage = sentinel;
      installWebGPUConstants();
      expect(g.GPUBufferUsage).toBe(sentinel);
      expect(g.GPUMapMode).toEqual({ READ: 1, WRITE: 2 });
    } finally {
      g.GPUBufferUsage = saved.usage;
      g.GPUMapMode = saved.map;
      g.GPUShaderStage = saved.stage;
    }
  });
});
