/**
 * @module Test fixture bundled into a workerd Durable Object by workerd-engine.test.ts: the real engine
 * (InferenceSession) on a bridge device, as the classifier DO runs it. POST /load takes ONNX bytes,
 * POST /run a float32 input; /run answers the output bytes and the round trips it cost.
 */
import { InferenceSession, openDevice } from '../engine/index.ts';
import { connectBridgeGPU, getBridgeStats } from './client.ts';

interface Env {
  HOST_URL: string;
  TOKEN: string;
  ENGINE_DO: { idFromName(name: string): unknown; get(id: unknown): { fetch(req: Request): Promise<Response> } };
}

export class EngineDO {
  #env: Env;
  #session: InferenceSession | undefined;
  #device: GPUDevice | undefined;

  constructor(_state: unknown, env: Env) {
    this.#env = env;
  }

  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    try {
      const body = new Uint8Array(await request.arrayBuffer());
      if (path === '/load') {
        const adapter = await connectBridgeGPU(this.#env.HOST_URL, { token: this.#env.TOKEN }).requestAdapter();
        this.#device = await openDevice(adapter!);
        const before = getBridgeStats();
        this.#session = await InferenceSession.create(this.#device, body);
        return Response.json({ roundTrips: getBridgeStats().roundTrips - before.roundTrips, input: this.#session.inputs[0].name, output: this.#session.outputs[0].name });
      }
      if (path === '/run' && this.#session) {
        const input = new Float32Array(body.buffer, body.byteOffset, body.byteLength / 4);
        const before = getBridgeStats();
        const t = performance.now();
        const out = await this.#session.run({ [this.#session.inputs[0].name]: input });
        const ms = performance.now() - t;
        const after = getBridgeStats();
        const data = out[this.#session.outputs[0].name].data;
        return new Response(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(), {
          headers: { 'x-round-trips': String(after.roundTrips - before.roundTrips), 'x-bytes-sent': String(after.bytesSent - before.bytesSent), 'x-ms': ms.toFixed(2) },
        });
      }
      if (path === '/destroy') {
        this.#session?.dispose();
        this.#device?.destroy();
        return new Response('ok');
      }
      return new Response('not found', { status: 404 });
    } catch (e) {
      return new Response(`${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack}`, { status: 500 });
    }
  }
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return env.ENGINE_DO.get(env.ENGINE_DO.idFromName('engine')).fetch(request);
  },
};
