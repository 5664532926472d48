import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectBridgeGPU } from '../bridge/client.ts';
import { Op } from '../bridge/protocol.ts';
import { startGpuHost, type GpuHost } from './server.ts';
import { batchFrame, helloFrame, RawClient } from './test-support.ts';

const TOKEN = 'caps-token';
const CAPS = { maxBufferBytes: 1 << 20, maxObjects: 40, maxMessageBytes: 256 << 10 };
let host: GpuHost;

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, caps: CAPS, log: () => {} });
});
afterAll(async () => {
  await host?.close();
});

async function device(): Promise<GPUDevice> {
  return (await connectBridgeGPU(host.url, { token: TOKEN, WebSocket }).requestAdapter())!.requestDevice();
}

describe('per-connection caps', () => {
  it('buffer bytes: an over-cap buffer is an out-of-memory error naming the cap, and stays unusable', async () => {
    const d = await device();
    d.pushErrorScope('out-of-memory');
    const big = d.createBuffer({ size: 2 << 20, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const error = await d.popErrorScope();
    expect(error?.message).toMatch(/GPU host cap: a 2097152-byte buffer .* \(max 1048576\)/);
    d.pushErrorScope('validation');
    d.queue.writeBuffer(big, 0, new Float32Array(4));
    expect((await d.popErrorScope())?.message).toMatch(/invalid: GPU host cap/);
    // Under the cap still works, and destroying frees the budget.
    const a = d.createBuffer({ size: 768 << 10, usage: GPUBufferUsage.STORAGE });
    a.destroy();
    d.pushErrorScope('out-of-memory');
    d.createBuffer({ size: 768 << 10, usage: GPUBufferUsage.STORAGE });
    expect(await d.popErrorScope()).toBeNull();
    d.destroy();
  });

  it('object count', async () => {
    const d = await device();
    d.pushErrorScope('out-of-memory');
    for (let i = 0; i < 60; i++) d.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    expect((await d.popErrorScope())?.message).toMatch(/GPU host cap: this connection already holds 40 objects \(max 40\)/);
    d.destroy();
  });

  it('message size: the client splits big uploads under the cap; a raw oversized frame gets an error reply', async () => {
    const d = await device();
    const buffer = d.createBuffer({ size: 400 << 10, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    const read = d.createBuffer({ size: 400 << 10, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const data = new Uint32Array((400 << 10) / 4).map((_, i) => i * 2654435761);
    d.queue.writeBuffer(buffer, 0, data);
    const enc = d.createCommandEncoder();
    enc.copyBufferToBuffer(buffer, 0, read, 0, data.byteLength);
    d.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    expect(Buffer.from(read.getMappedRange()).equals(Buffer.from(data.buffer))).toBe(true);
    d.destroy();

    const raw = await RawClient.connect(host.url);
    raw.send(helloFrame(TOKEN));
    raw.send(batchFrame([[Op.RequestDevice, { callId: 1, json: {} }]]));
    expect(await raw.until(() => raw.reply(1) !== undefined)).toBe(true);
    raw.send(batchFrame([[Op.WriteBuffer, { nums: [1, 0], bin: new Uint8Array(300 << 10) }]]));
    expect(await raw.until(() => raw.events('protocolError').length > 0)).toBe(true);
    expect(raw.events('protocolError')[0].message).toMatch(/exceeds the GPU host's per-connection cap of 262144 bytes/);
    // The connection survives.
    raw.send(batchFrame([[Op.OnSubmittedWorkDone, { callId: 2 }]]));
    expect(await raw.until(() => raw.reply(2) !== undefined)).toBe(true);
    // Far over the cap (past ws's hard limit of twice the cap), only that socket is closed (1009 "too big").
    raw.send(batchFrame([[Op.WriteBuffer, { nums: [1, 0], bin: new Uint8Array(600 << 10) }]]));
    await raw.until(() => false, 3_000);
    expect(raw.closed?.code).toBe(1009);
    const after = await device();
    await after.queue.onSubmittedWorkDone();
    after.destroy();
  });
});
