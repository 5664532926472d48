import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectBridgeGPU } from '../bridge/client.ts';
import { health, killHost, spawnHost } from './test-support.ts';

describe('gpu-host CLI', () => {
  it('without a token anywhere it generates one into .dev.vars (keeping other lines), serves it, and warns about llvmpipe', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gpu-host-'));
    const devVars = path.join(dir, '.dev.vars');
    await writeFile(devVars, 'OTHER=1\nGPU_HOST_TOKEN=\nMORE=two\n');
    const proc = await spawnHost({ devVars });
    try {
      const text = await readFile(devVars, 'utf8');
      const token = /^GPU_HOST_TOKEN=([0-9a-f]{48})$/m.exec(text)?.[1];
      expect(token).toBeDefined();
      expect(text).toMatch(/^OTHER=1$/m);
      expect(text).toMatch(/^MORE=two$/m);
      expect(text.match(/^GPU_HOST_TOKEN=/gm)).toHaveLength(1);
      expect(proc.output()).not.toContain(token!);

      const h = await health(proc.port);
      expect(h).toMatchObject({ ok: true, connections: 0, liveObjects: 0, gpuBytes: 0 });
      expect(h.adapter.backend).toBeTruthy();
      if (h.software) expect(proc.output()).toMatch(/WARNING: no GPU found; llvmpipe/);
      expect(proc.output()).toMatch(/\[gpu-host\] adapter: /);

      const device = await (await connectBridgeGPU(proc.url, { token: token!, WebSocket }).requestAdapter())!.requestDevice();
      device.destroy();
      await expect(connectBridgeGPU(proc.url, { token: 'stale', WebSocket }).requestAdapter()).rejects.toThrow(/invalid token/);
    } finally {
      await killHost(proc, 'SIGTERM');
    }
  });

  it('with a token in .dev.vars it serves that one and leaves the file alone (a host restarted next to npm start joins the others)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gpu-host-'));
    const devVars = path.join(dir, '.dev.vars');
    const file = 'OTHER=1\nGPU_HOST_TOKEN=the-running-services-token\n';
    await writeFile(devVars, file);
    const proc = await spawnHost({ devVars });
    try {
      expect(await readFile(devVars, 'utf8')).toBe(file);
      const device = await (await connectBridgeGPU(proc.url, { token: 'the-running-services-token', WebSocket }).requestAdapter())!.requestDevice();
      device.destroy();
      await expect(connectBridgeGPU(proc.url, { token: 'another', WebSocket }).requestAdapter()).rejects.toThrow(/invalid token/);
    } finally {
      await killHost(proc, 'SIGTERM');
    }
  });
});
