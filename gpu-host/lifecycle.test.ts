import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectBridgeGPU } from '../bridge/client.ts';
import { Op } from '../bridge/protocol.ts';
import { buildAffine, seededFloats } from '../bridge/test-workload.ts';
import { startGpuHost, type GpuHost } from './server.ts';
import { batchFrame, helloFrame, killHost, RawClient, spawnHost, waitForHealth, type HostProcess } from './test-support.ts';

const TOKEN = 'lifecycle-token';

describe('connection cleanup', () => {
  let host: GpuHost;
  beforeAll(async () => {
    host = await startGpuHost({ port: 0, token: TOKEN, log: () => {} });
  });
  afterAll(async () => {
    await host?.close();
  });

  it('device.destroy() leaves zero live objects on the host', async () => {
    const device = await (await connectBridgeGPU(host.url, { token: TOKEN, WebSocket }).requestAdapter())!.requestDevice();
    const kit = buildAffine(device, 1000);
    await kit.run(seededFloats(1000));
    const busy = await waitForHealth(host.port, (h) => h.liveObjects > 0);
    expect(busy.connections).toBe(1);
    expect(busy.liveObjects).toBeGreaterThan(10);
    expect(busy.gpuBytes).toBeGreaterThan(4000);
    device.destroy();
    const idle = await waitForHealth(host.port, (h) => h.connections === 0);
    expect(idle).toMatchObject({ connections: 0, liveObjects: 0, gpuBytes: 0 });
  });

  it('an abruptly dropped socket leaves zero live objects', async () => {
    const raw = await RawClient.connect(host.url);
    raw.send(helloFrame(TOKEN));
    raw.send(batchFrame([[Op.RequestDevice, { callId: 1, json: {} }]]));
    expect(await raw.until(() => raw.reply(1) !== undefined)).toBe(true);
    raw.send(batchFrame([...Array.from({ length: 20 }, (_, i): [number, { nums: number[] }] => [Op.CreateBuffer, { nums: [i + 1, 4096, 0x80, 0] }]), [Op.OnSubmittedWorkDone, { callId: 2 }]]));
    expect(await raw.until(() => raw.reply(2) !== undefined)).toBe(true);
    expect((await waitForHealth(host.port, (h) => h.liveObjects === 20)).gpuBytes).toBe(20 * 4096);
    raw.terminate();
    expect(await waitForHealth(host.port, (h) => h.connections === 0)).toMatchObject({ liveObjects: 0, gpuBytes: 0 });
  });
});

describe('host process loss', () => {
  let proc: HostProcess | undefined;
  afterEach(async () => {
    if (proc) {
      proc.child.kill('SIGCONT');
      await killHost(proc);
    }
    proc = undefined;
  });

  it('killed during an await: rejects quickly, device.lost resolves, requestAdapter works once the host is back', async () => {
    proc = await spawnHost(TOKEN);
    const port = proc.port;
    const gpu = connectBridgeGPU(proc.url, { token: TOKEN, WebSocket, timeoutMs: 20_000 });
    const device = await (await gpu.requestAdapter())!.requestDevice();
    const kit = buildAffine(device, 4096);
    await kit.run(seededFloats(4096));
    // Freeze the host first so the await is certainly in flight (sent, unanswered) when it dies.
    proc.child.kill('SIGSTOP');
    // Settle-catching at once: the rejection lands while the test is still awaiting the kill.
    const pending = kit.run(seededFloats(4096)).then(
      () => new Error('resolved'),
      (e: Error) => e,
    );
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = Date.now();
    await killHost(proc);
    expect((await pending).message).toMatch(/GPU host connection lost: .*while waiting for mapAsync/);
    expect(Date.now() - killedAt).toBeLessThan(3_000); // the socket closes at once; slack for a loaded box
    const lost = await device.lost;
    expect(lost.reason).toBe('unknown');
    expect(lost.message).toMatch(/GPU host connection lost/);
    await expect(device.queue.onSubmittedWorkDone()).rejects.toThrow(/GPU host connection lost/);

    // While the host is down, requestAdapter fails with a clear error instead of hanging.
    await expect(gpu.requestAdapter()).rejects.toThrow(/GPU host connection lost: cannot connect/);

    proc = await spawnHost(TOKEN, port);
    const again = await (await gpu.requestAdapter())!.requestDevice();
    const kit2 = buildAffine(again, 4096);
    const input = seededFloats(4096, 3);
    const { y } = await kit2.run(input);
    expect(y[100]).toBeCloseTo(input[100] * 2 + 1, 3);
    again.destroy();
  });

  it('a hung host (SIGSTOP): the await rejects after timeoutMs and the device is lost', async () => {
    proc = await spawnHost(TOKEN);
    const gpu = connectBridgeGPU(proc.url, { token: TOKEN, WebSocket, timeoutMs: 1_500 });
    const device = await (await gpu.requestAdapter())!.requestDevice();
    proc.child.kill('SIGSTOP');
    const started = Date.now();
    await expect(device.queue.onSubmittedWorkDone()).rejects.toThrow(/GPU host connection lost: no reply to onSubmittedWorkDone within 1500 ms/);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(5_000);
    expect((await device.lost).message).toMatch(/no reply/);
  });
});
