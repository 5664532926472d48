import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectBridgeGPU } from '../bridge/client.ts';
import { Op } from '../bridge/protocol.ts';
import { tokenMatches } from './auth.ts';
import { startGpuHost, type GpuHost } from './server.ts';
import { batchFrame, health, helloFrame, RawClient } from './test-support.ts';

const TOKEN = 'correct-horse-battery-staple';
let host: GpuHost;
const logs: string[] = [];

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, log: (l) => logs.push(l), helloTimeoutMs: 500 });
});
afterAll(async () => {
  await host?.close();
});

describe('GPU host authentication', () => {
  it('compares tokens exactly', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
    expect(tokenMatches(42, TOKEN)).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });

  it('refuses a wrong token before creating any GPU object, and says so', async () => {
    const gpu = connectBridgeGPU(host.url, { token: 'wrong', WebSocket, timeoutMs: 5_000 });
    await expect(gpu.requestAdapter()).rejects.toThrow(/GPU host refused the connection: invalid token/);
    const h = await health(host.port);
    expect(h.connections).toBe(0);
    expect(h.liveObjects).toBe(0);
    expect(h.refused).toBeGreaterThanOrEqual(1);
    expect(logs.some((l) => /refused .*invalid token/.test(l))).toBe(true);
  });

  it('refuses GPU commands sent before (or instead of) the hello', async () => {
    const raw = await RawClient.connect(host.url);
    raw.send(batchFrame([[Op.RequestDevice, { callId: 1, json: {} }], [Op.CreateBuffer, { nums: [1, 1024, 0x80, 0] }]]));
    await raw.until(() => false, 2_000);
    expect(raw.closed?.code).toBe(1008);
    expect(raw.reply(1)).toBeUndefined();
    expect((await health(host.port)).liveObjects).toBe(0);
  });

  it('refuses a client that sends nothing, and one with another protocol version', async () => {
    const silent = await RawClient.connect(host.url);
    await silent.until(() => false, 3_000);
    expect(silent.closed?.code).toBe(4002);

    const old = await RawClient.connect(host.url);
    old.send(helloFrame(TOKEN, 999));
    await old.until(() => false, 2_000);
    expect(old.closed?.code).toBe(4001);
    expect(old.closed?.reason).toMatch(/protocol version mismatch/);
  });

  it('refuses connections past maxConnections, and accepts again once one closes', async () => {
    const small = await startGpuHost({ port: 0, token: TOKEN, log: () => {}, maxConnections: 1 });
    try {
      const first = await connectBridgeGPU(small.url, { token: TOKEN, WebSocket }).requestAdapter();
      const device = await first!.requestDevice();
      await expect(connectBridgeGPU(small.url, { token: TOKEN, WebSocket }).requestAdapter()).rejects.toThrow(/refused the connection: the GPU host already serves 1 connection/);
      device.destroy();
      const deadline = Date.now() + 5_000;
      while (small.stats().connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const again = await connectBridgeGPU(small.url, { token: TOKEN, WebSocket }).requestAdapter();
      (await again!.requestDevice()).destroy();
    } finally {
      await small.close();
    }
  });

  it('accepts the right token', async () => {
    const gpu = connectBridgeGPU(host.url, { token: TOKEN, WebSocket, timeoutMs: 10_000 });
    const adapter = await gpu.requestAdapter();
    expect(adapter?.info.description).toBe(host.adapter.description);
    const device = await adapter!.requestDevice();
    expect(device.limits.maxBindGroups).toBeGreaterThanOrEqual(4);
    device.destroy();
  });
});
