/**
 * Load against the real service with a model whose right answer is known for every input: the colour probe
 * (support.ts) on solid red/green/blue PNGs. Two rounds of 2,000 requests at concurrency 16: zero errors, zero
 * wrong labels; GPU host objects and bytes back to the warmed-up level after each round; GPU host and workerd
 * memory not growing from round 1 to round 2. Prints p50/p99 latency and req/s.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuHostHealth } from '../../gpu-host/server.ts';
import { health } from '../../gpu-host/test-support.ts';
import { startService, waitForBatching, type Service } from '../service/harness.ts';
import { solidPng } from '../service/images.ts';
import { colourProbeModel, COLOUR_LABELS, COLOUR_NAMES, rng } from './support.ts';

const REQUESTS = 2_000;
const CONCURRENCY = 16;
/** Memory may settle (JIT, allocator arenas) but must not keep growing with traffic. */
const MAX_RSS_GROWTH = 0.2;
/**
 * GPU host objects are compared with the warm-up reading once the DO has built its session for every batch
 * size (see durable-objects/batched-sessions.ts), so load adds none. A command encoder, pass or command buffer
 * of a run still in flight at the reading may differ; a leak of one object per request would be thousands, so
 * a handful of slack separates the two. Buffer bytes must come back exactly.
 */
const OBJECT_SLACK = 8;
/** The service's default MAX_BATCH of 8: sessions for batch sizes 1, 2, 4 and 8. */
const BATCH_SIZES = [1, 2, 4, 8];
const COLOURS: readonly (readonly number[])[] = [
  [220, 30, 30],
  [30, 220, 30],
  [30, 30, 220],
];

interface Round {
  errors: string[];
  wrong: string[];
  latencies: number[];
  seconds: number;
}

let service: Service;
/** Per colour, a few image sizes, so decode and resize do real (different) work. */
let images: Uint8Array[][];

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

async function round(seed: number): Promise<Round> {
  const random = rng(seed);
  const plan = Array.from({ length: REQUESTS }, () => {
    const colour = Math.floor(random() * 3);
    return { colour, bytes: images[colour][Math.floor(random() * images[colour].length)] };
  });
  const result: Round = { errors: [], wrong: [], latencies: [], seconds: 0 };
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < plan.length) {
      const i = next++;
      const { colour, bytes } = plan[i];
      const t0 = performance.now();
      try {
        const response = await fetch(`${service.url}/?format=json&top=1`, {
          method: 'POST',
          body: bytes,
          headers: { 'Content-Type': 'image/png' },
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        result.latencies.push(performance.now() - t0);
        if (response.status !== 200) {
          result.errors.push(`#${i}: ${response.status} ${text.slice(0, 200)}`);
          continue;
        }
        const label = (JSON.parse(text) as { top: { label: string }[] }).top[0].label;
        if (label !== COLOUR_NAMES[colour]) result.wrong.push(`#${i}: ${COLOUR_NAMES[colour]} image answered ${label}`);
      } catch (e) {
        result.errors.push(`#${i}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(name: string, r: Round): void {
  console.log(
    `load ${name}: ${REQUESTS} requests at concurrency ${CONCURRENCY} in ${r.seconds.toFixed(1)} s = ${(REQUESTS / r.seconds).toFixed(1)} req/s; ` +
      `p50 ${percentile(r.latencies, 50).toFixed(1)} ms, p99 ${percentile(r.latencies, 99).toFixed(1)} ms; ` +
      `${r.errors.length} errors, ${r.wrong.length} wrong answers`,
  );
}

beforeAll(async () => {
  service = await startService({ model: colourProbeModel(), labels: COLOUR_LABELS });
  images = await Promise.all(COLOURS.map((c) => Promise.all([solidPng(c, 64, 48), solidPng(c, 320, 240), solidPng(c, 31, 97)])));
}, 240_000);
afterAll(() => service?.stop());

describe(`load: ${REQUESTS} requests x 2 rounds at concurrency ${CONCURRENCY}`, () => {
  let idle: GpuHostHealth;
  let memoryAfterRound1: { host: number; workerd: number };

  it('warm-up: the model loads and every colour is answered right', async () => {
    for (let colour = 0; colour < 3; colour++) {
      for (const bytes of images[colour]) {
        const r = await fetch(`${service.url}/?format=json`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'image/png' } });
        expect(r.status).toBe(200);
        expect(((await r.json()) as { top: { label: string }[] }).top[0].label).toBe(COLOUR_NAMES[colour]);
      }
    }
    // A short concurrent burst: queued requests run as dynamic batches, and those answer right too.
    const burst = await Promise.all(Array.from({ length: 32 }, (_, i) => fetch(`${service.url}/`, { method: 'POST', body: images[i % 3][0], headers: { 'Content-Type': 'image/png' } })));
    expect(burst.map((r) => r.status)).toEqual(Array(32).fill(200));
    await Promise.all(burst.map((r) => r.arrayBuffer()));
    // Every batch size has its session and none is still being built (waitForBatching polls for up to 120 s).
    expect(await waitForBatching(service)).toMatchObject({ ready: BATCH_SIZES, preparing: false });
    idle = await health(service.hostPort);
    expect(idle.connections).toBe(1);
    expect(service.workerdPids().length).toBeGreaterThan(0);
    console.log(`load warm-up: GPU host ${idle.liveObjects} live objects, ${idle.gpuBytes} GPU bytes; RSS host ${rssKiB(service.hostPid()!)} KiB, workerd ${service.workerdPids().map(rssKiB).join('+')} KiB`);
  });

  it('round 1: zero errors, zero wrong answers; GPU host objects back to the idle level', async () => {
    const r = await round(1);
    report('round 1', r);
    expect(r.errors.slice(0, 5)).toEqual([]);
    expect(r.wrong.slice(0, 5)).toEqual([]);
    expect(r.latencies).toHaveLength(REQUESTS);
    const after = await health(service.hostPort);
    expect(after.connections).toBe(idle.connections);
    expect(after.liveObjects).toBeLessThanOrEqual(idle.liveObjects + OBJECT_SLACK);
    expect(after.gpuBytes).toBe(idle.gpuBytes);
    memoryAfterRound1 = { host: rssKiB(service.hostPid()!), workerd: service.workerdPids().map(rssKiB).reduce((a, b) => a + b, 0) };
  });

  it('round 2: same again, and neither the GPU host nor workerd grows in memory', async () => {
    const r = await round(2);
    report('round 2', r);
    expect(r.errors.slice(0, 5)).toEqual([]);
    expect(r.wrong.slice(0, 5)).toEqual([]);
    const after = await health(service.hostPort);
    console.log(`load GPU host after round 2: ${after.liveObjects} live objects (warm-up ${idle.liveObjects}), ${after.gpuBytes} GPU bytes (warm-up ${idle.gpuBytes})`);
    expect(after.connections).toBe(idle.connections);
    expect(after.liveObjects).toBeLessThanOrEqual(idle.liveObjects + OBJECT_SLACK);
    expect(after.gpuBytes).toBe(idle.gpuBytes);
    const memory = { host: rssKiB(service.hostPid()!), workerd: service.workerdPids().map(rssKiB).reduce((a, b) => a + b, 0) };
    console.log(`load memory (RSS KiB) after round 1 -> round 2: host ${memoryAfterRound1.host} -> ${memory.host}, workerd ${memoryAfterRound1.workerd} -> ${memory.workerd}`);
    expect(memory.host).toBeLessThanOrEqual(memoryAfterRound1.host * (1 + MAX_RSS_GROWTH));
    expect(memory.workerd).toBeLessThanOrEqual(memoryAfterRound1.workerd * (1 + MAX_RSS_GROWTH));
  });
});
