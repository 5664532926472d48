import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceSession } from '../engine/index.ts';
import { openDawnDevice } from '../gpu-host/dawn.ts';
import { startGpuHost, type GpuHost } from '../gpu-host/server.ts';
import { SQUEEZENET11_PATH } from '../models/paths.ts';
import { seededFloats } from './test-workload.ts';

const TOKEN = 'workerd-engine-token';
let host: GpuHost;
let mf: Miniflare;

beforeAll(async () => {
  host = await startGpuHost({ port: 0, token: TOKEN, log: () => {} });
  const bundle = await build({
    entryPoints: [new URL('./workerd-engine-fixture.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    loader: { '.wgsl': 'text' },
    write: false,
  });
  mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: bundle.outputFiles[0].text }],
    compatibilityDate: '2026-04-20',
    durableObjects: { ENGINE_DO: 'EngineDO' },
    bindings: { HOST_URL: host.url, TOKEN },
  });
  await mf.ready;
});
afterAll(async () => {
  await mf?.dispose();
  await host?.close();
});

describe('the engine inside workerd on a bridge device (as the classifier DO runs it)', () => {
  it('SqueezeNet 1.1: bit-identical to direct Dawn, one round trip per inference', async () => {
    const model = new Uint8Array(await readFile(SQUEEZENET11_PATH));
    const input = seededFloats(3 * 224 * 224, 9).map((v) => v / 100);

    const direct = await openDawnDevice();
    const native = await InferenceSession.create(direct.device, model);
    const expected = (await native.run({ [native.inputs[0].name]: input }))[native.outputs[0].name].data;
    native.dispose();
    direct.device.destroy();

    const load = await mf.dispatchFetch('http://do/load', { method: 'POST', body: model });
    const loaded = await load.text();
    expect(load.status, loaded).toBe(200);
    console.log(`[bridge] workerd: SqueezeNet session create ${loaded}`);

    for (let i = 0; i < 3; i++) {
      const res = await mf.dispatchFetch('http://do/run', { method: 'POST', body: new Uint8Array(input.buffer) });
      const body = new Uint8Array(await res.arrayBuffer());
      expect(res.status, new TextDecoder().decode(body.subarray(0, 2000))).toBe(200);
      expect(Buffer.from(body).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(true);
      expect(res.headers.get('x-round-trips')).toBe('1');
      if (i === 2) console.log(`[bridge] workerd: one inference ${res.headers.get('x-ms')} ms, ${res.headers.get('x-bytes-sent')} B up, 1 round trip`);
    }
    expect((await mf.dispatchFetch('http://do/destroy', { method: 'POST' })).status).toBe(200);
    const deadline = Date.now() + 5_000;
    while (host.stats().connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(host.stats()).toMatchObject({ connections: 0, liveObjects: 0 });
  });
});
