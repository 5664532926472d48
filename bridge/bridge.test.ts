import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openDawnDevice } from '../gpu-host/dawn.ts';
import { startGpuHost, type GpuHost } from '../gpu-host/server.ts';
import { connectBridgeGPU, getBridgeStats } from './client.ts';
import { buildAffine, seededFloats } from './test-workload.ts';

const TOKEN = 'test-token-affine';
let host: GpuHost;

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, log: () => {} });
});
afterAll(async () => {
  await host?.close();
});

async function bridgeDevice(): Promise<GPUDevice> {
  const gpu = connectBridgeGPU(host.url, { token: TOKEN, WebSocket, timeoutMs: 30_000 });
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no adapter');
  return adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize } });
}

describe('bridge vs direct Dawn', () => {
  it('computes identical results and a run costs one round trip', async () => {
    const count = 100_000;
    const input = seededFloats(count, 7);
    const direct = await openDawnDevice();
    const native = buildAffine(direct.device, count);
    const expected = await native.run(input);

    const device = await bridgeDevice();
    const kit = buildAffine(device, count);
    await kit.run(input); // the first run also carries the setup commands
    const before = getBridgeStats();
    const got = await kit.run(input);
    const after = getBridgeStats();

    expect(Buffer.from(got.y.buffer).equals(Buffer.from(expected.y.buffer))).toBe(true);
    expect(Buffer.from(got.back.buffer).equals(Buffer.from(expected.back.buffer))).toBe(true);
    expect(got.y[12]).toBeCloseTo(input[12] * 2 + 1, 3);
    expect(after.roundTrips - before.roundTrips).toBe(1);
    expect(after.messagesSent - before.messagesSent).toBe(1);
    expect(after.messagesReceived - before.messagesReceived).toBe(1);
    // Raw bytes both ways: 400 KB up, 800 KB back, plus small headers.
    expect(after.bytesSent - before.bytesSent).toBeLessThan(count * 4 + 4096);
    expect(after.bytesReceived - before.bytesReceived).toBeLessThan(count * 8 + 1024);

    kit.destroy();
    native.destroy();
    device.destroy();
    direct.device.destroy();
  });
});
