import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median } from '../bench/stats.ts';
import { InferenceSession, openDevice } from '../engine/index.ts';
import { openDawnDevice } from '../gpu-host/dawn.ts';
import { LoopbackWebSocket } from '../gpu-host/loopback-websocket.ts';
import { startGpuHost, type GpuHost } from '../gpu-host/server.ts';
import { SQUEEZENET11_PATH } from '../models/paths.ts';
import { connectBridgeGPU, getBridgeStats } from './client.ts';
import { seededFloats } from './test-workload.ts';

const TOKEN = 'squeezenet-token';
let host: GpuHost;

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, log: () => {} });
});
afterAll(async () => {
  await host?.close();
});

describe('SqueezeNet 1.1 through the bridge (the engine only sees standard WebGPU)', () => {
  it('matches direct Dawn bit for bit and costs one round trip per inference', async () => {
    const model = new Uint8Array(await readFile(SQUEEZENET11_PATH));
    const input = seededFloats(3 * 224 * 224, 5).map((v) => v / 100);

    const direct = await openDawnDevice();
    const nativeSession = await InferenceSession.create(direct.device, model);
    const inputName = nativeSession.inputs[0].name;
    const outputName = nativeSession.outputs[0].name;

    const adapter = await connectBridgeGPU(host.url, { token: TOKEN, WebSocket: LoopbackWebSocket }).requestAdapter();
    const device = await openDevice(adapter!);
    const s0 = getBridgeStats();
    const session = await InferenceSession.create(device, model);
    const s1 = getBridgeStats();

    const expected = (await nativeSession.run({ [inputName]: input }))[outputName].data;
    const got = (await session.run({ [inputName]: input }))[outputName].data;
    expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(true);

    // Interleaved so both see the same background load; min is the least noisy figure on a shared box.
    const runs = 7;
    const bridgeTimes: number[] = [];
    const directTimes: number[] = [];
    let roundTrips = 0;
    const before = getBridgeStats();
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await nativeSession.run({ [inputName]: input });
      directTimes.push(performance.now() - t);
      const r0 = getBridgeStats().roundTrips;
      t = performance.now();
      await session.run({ [inputName]: input });
      bridgeTimes.push(performance.now() - t);
      roundTrips = Math.max(roundTrips, getBridgeStats().roundTrips - r0);
    }
    const after = getBridgeStats();

    const perRun = {
      roundTrips: (after.roundTrips - before.roundTrips) / runs,
      messagesSent: (after.messagesSent - before.messagesSent) / runs,
      bytesSent: (after.bytesSent - before.bytesSent) / runs,
      bytesReceived: (after.bytesReceived - before.bytesReceived) / runs,
      commands: (after.commands - before.commands) / runs,
    };
    const timing = { directMs: median(directTimes), bridgeMs: median(bridgeTimes), directMin: Math.min(...directTimes), bridgeMin: Math.min(...bridgeTimes) };
    console.log(
      `[bridge] SqueezeNet 1.1 session create: ${s1.roundTrips - s0.roundTrips} round trips, ${s1.messagesSent - s0.messagesSent} frames, ${s1.bytesSent - s0.bytesSent} B up; ` +
        `per inference: ${JSON.stringify(perRun)}; direct median/min ${timing.directMs.toFixed(1)}/${timing.directMin.toFixed(1)} ms, bridge ${timing.bridgeMs.toFixed(1)}/${timing.bridgeMin.toFixed(1)} ms (dispatches ${session.stats.dispatches})`,
    );
    expect(roundTrips).toBeLessThanOrEqual(2);
    expect(perRun.roundTrips).toBe(1);
    // Input tensor (602 KB) up, scores (4 KB) back, raw bytes plus a few KB of commands.
    expect(perRun.bytesSent).toBeLessThan(input.byteLength + 16_384);
    expect(perRun.bytesReceived).toBeLessThan(got.byteLength + 1024);
    // The time the bridge adds is printed above and measured in bench/bridge.ts (`npm run bench`'s ours-bridge peer),
    // not asserted: on a shared CI box a timing bound is a flake, not a check.

    session.dispose();
    nativeSession.dispose();
    device.destroy();
    direct.device.destroy();
  });
});
