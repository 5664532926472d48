/**
 * @module Bridge overhead benchmark: SqueezeNet 1.1 on a bridge device vs directly on Dawn (runs interleaved,
 * so both see the same background load), plus the latency of an empty round trip and of a 602 KB upload.
 *
 *   node --import tsx --import ./tools/wgsl-register.mjs bench/bridge.ts            # host in this process
 *   node --import tsx --import ./tools/wgsl-register.mjs bench/bridge.ts ws://127.0.0.1:8790 TOKEN
 *
 * MASKED=1 uses plain `ws` (JS frame masking) instead of LoopbackWebSocket.
 */
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { median } from './stats.ts';
import { connectBridgeGPU, getBridgeStats } from '../bridge/client.ts';
import { seededFloats } from '../bridge/test-workload.ts';
import { InferenceSession, openDevice } from '../engine/index.ts';
import { SQUEEZENET11_PATH } from '../models/paths.ts';
import { openDawnDevice } from '../gpu-host/dawn.ts';
import { LoopbackWebSocket } from '../gpu-host/loopback-websocket.ts';
import { startGpuHost } from '../gpu-host/server.ts';

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const [urlArg, tokenArg] = process.argv.slice(2);
  const token = tokenArg ?? 'bench';
  const url = urlArg ?? (await startGpuHost({ port: 0, token, log: () => {} })).url;
  const WS = process.env.MASKED ? WebSocket : LoopbackWebSocket;

  const model = new Uint8Array(await readFile(SQUEEZENET11_PATH));
  const input = seededFloats(3 * 224 * 224, 5).map((v) => v / 100);
  const direct = (await openDawnDevice()).device;
  const adapter = await connectBridgeGPU(url, { token, WebSocket: WS }).requestAdapter();
  const bridged = await openDevice(adapter!);
  const nativeSession = await InferenceSession.create(direct, model);
  const bridgeSession = await InferenceSession.create(bridged, model);
  const feeds = { [nativeSession.inputs[0].name]: input };

  const d: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 18; i++) {
    const td = await timed(() => nativeSession.run(feeds));
    const before = getBridgeStats();
    const tb = await timed(() => bridgeSession.run(feeds));
    if (getBridgeStats().roundTrips - before.roundTrips !== 1) throw new Error('an inference took more than one round trip');
    if (i >= 3) d.push(td), b.push(tb); // the first runs warm caches
  }
  const pct = ((Math.min(...b) / Math.min(...d) - 1) * 100).toFixed(1);
  console.log(`SqueezeNet 1.1 ms  direct median ${median(d).toFixed(1)} min ${Math.min(...d).toFixed(1)} | bridge median ${median(b).toFixed(1)} min ${Math.min(...b).toFixed(1)} (+${pct}% by min)`);

  const rt: number[] = [];
  const rd: number[] = [];
  for (let i = 0; i < 200; i++) {
    rt.push(await timed(() => bridged.queue.onSubmittedWorkDone()));
    rd.push(await timed(() => direct.queue.onSubmittedWorkDone()));
  }
  console.log(`empty round trip (onSubmittedWorkDone) median ms: bridge ${median(rt).toFixed(3)}, direct ${median(rd).toFixed(3)}`);

  const usage = GPUBufferUsage.COPY_DST | GPUBufferUsage.STORAGE;
  const up = bridged.createBuffer({ size: input.byteLength, usage });
  const upDirect = direct.createBuffer({ size: input.byteLength, usage });
  const ub: number[] = [];
  const ud: number[] = [];
  for (let i = 0; i < 50; i++) {
    ub.push(await timed(() => (bridged.queue.writeBuffer(up, 0, input), bridged.queue.onSubmittedWorkDone())));
    ud.push(await timed(() => (direct.queue.writeBuffer(upDirect, 0, input), direct.queue.onSubmittedWorkDone())));
  }
  console.log(`602 KB writeBuffer + onSubmittedWorkDone median ms: bridge ${median(ub).toFixed(3)}, direct ${median(ud).toFixed(3)}`);
  process.exit(0);
}

main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});
