/**
 * @module What the 100-continue front (scripts/continue-front.ts) costs: the same requests through the front and
 * straight to `wrangler dev`'s port, alternating in one run, sequential and at concurrency 16. The request is a
 * 100 KB upload (a small photo's size) that the Worker refuses with 415 after reading it, so neither the GPU
 * host nor inference is in the figure: what differs between the two paths is only the hop.
 *
 *   node --import tsx --import ./tools/wgsl-register.mjs bench/front-hop.ts [sequential=200] [concurrent=400]
 */
import http from 'node:http';
import { startService } from '../test/service/harness.ts';
import { median, percentile } from './stats.ts';

const BODY = new Uint8Array(100_000).fill(0x41);

/** One request on a keep-alive agent, as a client library would send it; resolves to milliseconds. */
function timed(agent: http.Agent, base: string): Promise<number> {
  const url = new URL('/classify', base);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'text/plain', 'Content-Length': BODY.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 415 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

async function concurrent(agent: http.Agent, base: string, total: number, width: number): Promise<number[]> {
  const times: number[] = [];
  let started = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (started++ < total) times.push(await timed(agent, base));
  }));
  return times;
}

type Path = 'front' | 'direct';
/** Alternating which path goes first cancels drift in the machine's load. */
const order = (i: number): Path[] => (i % 2 ? ['front', 'direct'] : ['direct', 'front']);

const summary = (ms: number[]) => `median ${median(ms).toFixed(2)} ms, p99 ${percentile(ms, 99).toFixed(2)} ms (${ms.length})`;

const [sequential = 200, total = 400] = process.argv.slice(2).map(Number);
const service = await startService({ withoutHost: true });
try {
  const paths = { front: service.url, direct: service.wranglerUrl };
  const agents = { front: new http.Agent({ keepAlive: true, maxSockets: 16 }), direct: new http.Agent({ keepAlive: true, maxSockets: 16 }) };
  for (const name of ['front', 'direct'] as const) await concurrent(agents[name], paths[name], 32, 16); // warm-up
  const seq = { front: [] as number[], direct: [] as number[] };
  for (let i = 0; i < sequential; i++) {
    for (const name of order(i)) seq[name].push(await timed(agents[name], paths[name]));
  }
  const conc = { front: [] as number[], direct: [] as number[] };
  for (let round = 0; round < 4; round++) {
    for (const name of order(round)) conc[name].push(...(await concurrent(agents[name], paths[name], total / 4, 16)));
  }
  for (const name of ['front', 'direct'] as const) {
    console.log(`${name.padEnd(6)} sequential: ${summary(seq[name])}; concurrency 16: ${summary(conc[name])}`);
  }
} finally {
  await service.stop();
}
