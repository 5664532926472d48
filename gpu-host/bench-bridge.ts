import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { InferenceSession } from '../engine/index.ts';
import { openDawnDevice } from './dawn.ts';
import { startGpuHost } from './server.ts';
import { SQUEEZENET11_PATH } from '../models/paths.ts';
import { connectBridgeGPU, getBridgeStats } from '../bridge/client.ts';
import { seededFloats } from '../bridge/test-workload.ts';
import { LoopbackWebSocket } from './loopback-websocket.ts';
const mode = process.argv[2] ?? 'inproc';
const WS = process.env.MASKED ? WebSocket : LoopbackWebSocket;
let url: string; const TOKEN = 't';
if (mode === 'inproc') { const host = await startGpuHost({ port: 0, token: TOKEN, log: () => {} }); url = host.url; } else { url = process.argv[3]; }
const model = new Uint8Array(await readFile(SQUEEZENET11_PATH));
const input = seededFloats(3 * 224 * 224, 5).map((v) => v / 100);
const direct = await openDawnDevice();
const ns = await InferenceSession.create(direct.device, model);
const adapter = await connectBridgeGPU(url, { token: TOKEN, WebSocket: WS }).requestAdapter();
const device = await adapter!.requestDevice({ requiredLimits: { maxStorageBufferBindingSize: adapter!.limits.maxStorageBufferBindingSize, maxBufferSize: adapter!.limits.maxBufferSize } });
const bs = await InferenceSession.create(device, model);
const name = ns.inputs[0].name;
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const d: number[] = [], b: number[] = [];
for (let i = 0; i < 3; i++) { await ns.run({ [name]: input }); await bs.run({ [name]: input }); }
for (let i = 0; i < 15; i++) {
  let t = performance.now(); await ns.run({ [name]: input }); d.push(performance.now() - t);
  t = performance.now(); await bs.run({ [name]: input }); b.push(performance.now() - t);
}
console.log(mode, 'squeezenet direct', med(d).toFixed(1), 'bridge', med(b).toFixed(1), 'min', Math.min(...d).toFixed(1), Math.min(...b).toFixed(1));
// empty round trip
const rt: number[] = [], rd: number[] = [];
for (let i = 0; i < 200; i++) { let t = performance.now(); await device.queue.onSubmittedWorkDone(); rt.push(performance.now() - t); t = performance.now(); await direct.device.queue.onSubmittedWorkDone(); rd.push(performance.now() - t); }
console.log('onSubmittedWorkDone median: bridge', med(rt).toFixed(3), 'ms; direct', med(rd).toFixed(3), 'ms');
// upload round trip
const up = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.STORAGE });
const upd = direct.device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.STORAGE });
const ub: number[] = [], ud: number[] = [];
for (let i = 0; i < 50; i++) {
  let t = performance.now(); device.queue.writeBuffer(up, 0, input); await device.queue.onSubmittedWorkDone(); ub.push(performance.now() - t);
  t = performance.now(); direct.device.queue.writeBuffer(upd, 0, input); await direct.device.queue.onSubmittedWorkDone(); ud.push(performance.now() - t);
}
console.log('602KB upload + wait median: bridge', med(ub).toFixed(3), 'direct', med(ud).toFixed(3));
process.exit(0);
