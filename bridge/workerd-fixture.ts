/**
 * @module Test fixture bundled into a workerd Durable Object by workerd.test.ts: proves the bridge client runs
 * on workerd's own WebSocket, timers and EventTarget, and that one device serves several requests.
 */
import { connectBridgeGPU, getBridgeStats } from './client.ts';
import { buildAffine, seededFloats, type AffineKit } from './test-workload.ts';

interface Env {
  HOST_URL: string;
  TOKEN: string;
  GPU_DO: { idFromName(name: string): unknown; get(id: unknown): { fetch(req: Request): Promise<Response> } };
}

const COUNT = 10_000;

export class GpuDO {
  #env: Env;
  #kit: Promise<AffineKit> | undefined;
  #device: GPUDevice | undefined;

  constructor(_state: unknown, env: Env) {
    this.#env = env;
  }

  async #open(): Promise<AffineKit> {
    const gpu = connectBridgeGPU(this.#env.HOST_URL, { token: this.#env.TOKEN, timeoutMs: 20_000 });
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('no adapter');
    this.#device = await adapter.requestDevice();
    return buildAffine(this.#device, COUNT);
  }

  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    try {
      if (path === '/destroy') {
        this.#device?.destroy();
        this.#kit = undefined;
        return new Response('destroyed');
      }
      this.#kit ??= this.#open();
      const kit = await this.#kit;
      const before = getBridgeStats();
      const { y, back } = await kit.run(seededFloats(COUNT, 21));
      const after = getBridgeStats();
      const body = new Uint8Array(y.byteLength + back.byteLength);
      body.set(new Uint8Array(y.buffer), 0);
      body.set(new Uint8Array(back.buffer), y.byteLength);
      return new Response(body, {
        headers: { 'x-round-trips': String(after.roundTrips - before.roundTrips), 'x-connections': String(after.connectionsOpened) },
      });
    } catch (e) {
      return new Response(`${(e as Error).name}: ${(e as Error).message}`, { status: 500 });
    }
  }
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return env.GPU_DO.get(env.GPU_DO.idFromName('gpu')).fetch(request);
  },
};
