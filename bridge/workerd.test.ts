import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDawnDevice } from '../gpu-host/dawn.ts';
import { startGpuHost, type GpuHost } from '../gpu-host/server.ts';
import { buildAffine, seededFloats } from './test-workload.ts';

const TOKEN = 'workerd-token';
let host: GpuHost;
let mf: Miniflare;

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, log: () => {} });
  // Bundled for the browser platform: any Node import in bridge/ would fail the build here.
  const bundle = await build({
    entryPoints: [new URL('./workerd-fixture.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: bundle.outputFiles[0].text }],
    compatibilityDate: '2026-04-20',
    durableObjects: { GPU_DO: 'GpuDO' },
    bindings: { HOST_URL: host.url, TOKEN },
  });
  await mf.ready;
});
afterAll(async () => {
  await mf?.dispose();
  await host?.close();
});

describe('bridge client inside workerd (a Durable Object, as in production)', () => {
  it('runs the workload through workerd WebSocket, identical to direct Dawn, one round trip per request after the first', async () => {
    const direct = await openDawnDevice();
    const expected = await buildAffine(direct.device, 10_000).run(seededFloats(10_000, 21));
    direct.device.destroy();

    for (let i = 0; i < 3; i++) {
      const res = await mf.dispatchFetch('http://do/run');
      const body = new Uint8Array(await res.arrayBuffer());
      expect(res.status, new TextDecoder().decode(body)).toBe(200);
      expect(Buffer.from(body.subarray(0, 40_000)).equals(Buffer.from(expected.y.buffer))).toBe(true);
      expect(Buffer.from(body.subarray(40_000)).equals(Buffer.from(expected.back.buffer))).toBe(true);
      // The device (one connection) survives across requests.
      expect(res.headers.get('x-connections')).toBe('1');
      if (i > 0) expect(res.headers.get('x-round-trips')).toBe('1');
    }
    expect(host.stats().connections).toBe(1);
    const res = await mf.dispatchFetch('http://do/destroy');
    expect(res.status).toBe(200);
    const deadline = Date.now() + 5_000;
    while (host.stats().connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(host.stats()).toMatchObject({ connections: 0, liveObjects: 0 });
  });
});
