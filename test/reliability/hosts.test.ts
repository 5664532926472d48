/**
 * Several GPU hosts and several models under the real service: `wrangler dev` with three local GPU hosts
 * (GPU_HOST_URLS), two models (MODELS) whose right answer is known for every input (the colour probe, support.ts),
 * three replicas each. Load spreads over the hosts; a host SIGKILLed under load costs at most 1% of requests
 * (only 503 with Retry-After) and no wrong answer; a hung (SIGSTOPped) host makes one wave of requests wait the
 * bridge's bound, not more; a host restarted by hand with the CLI serves again within 60 s.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { health as hostHealth, killHost, spawnHost, type HostProcess } from '../../gpu-host/test-support.ts';
import { manifestKey } from '../../durable-objects/manifest.ts';
import { percentile } from '../../bench/stats.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startService, type Service } from '../service/harness.ts';
import { solidPng } from '../service/images.ts';
import { colourProbeModel, COLOUR_LABELS, COLOUR_NAMES, expectError, fetchWithin, retryUntil } from './support.ts';

const HOSTS = 3;
const COLOURS_KEY = 'colours.onnx';
const COULEURS_KEY = 'couleurs.onnx';
const COULEURS = ['rouge', 'vert', 'bleu'] as const;
/** The bridge's bound on one GPU call (durable-objects/gpu-source.ts); a request that waited it shows ~this long. */
const BRIDGE_BOUND_MS = 15_000;
const REQUEST_BOUND_MS = 45_000;

interface Outcome {
  colour: number;
  status: number;
  retryAfter: string | null;
  label?: string;
  /** The start of the body of a non-200 answer, to say what it was. */
  error?: string;
  start: number;
  end: number;
}

interface HealthBody {
  ok: boolean;
  reason?: string;
  models: { key: string; loaded: boolean; sha256: string | null; standIn: boolean | null; replicas: { replica: number; home: string; host: string | null; ok: boolean }[] }[];
  hosts: { url: string; ok: boolean; error?: string; served: number }[];
}

let service: Service;
let images: Uint8Array[];
let hostUrls: string[];
/** A GPU host the tests started by hand (the CLI), in place of the harness's. */
let byHand: HostProcess | undefined;

async function serviceHealth(): Promise<{ status: number; body: HealthBody }> {
  const r = await fetchWithin(`${service.url}/healthz`, {}, REQUEST_BOUND_MS);
  return { status: r.status, body: (await r.json()) as HealthBody };
}

const served = async (): Promise<number[]> => (await serviceHealth()).body.hosts.map((h) => h.served);

async function classify(colour: number, model?: string): Promise<Outcome> {
  const start = performance.now();
  const query = model ? `?format=json&top=1&model=${encodeURIComponent(model)}` : '?format=json&top=1';
  try {
    const r = await fetchWithin(`${service.url}/${query}`, { method: 'POST', body: images[colour], headers: { 'Content-Type': 'image/png' } }, REQUEST_BOUND_MS);
    const text = await r.text();
    const label = r.status === 200 ? (JSON.parse(text) as { top: { label: string }[] }).top[0].label : undefined;
    return { colour, status: r.status, retryAfter: r.headers.get('retry-after'), label, ...(r.status === 200 ? {} : { error: text.slice(0, 300) }), start, end: performance.now() };
  } catch (e) {
    return { colour, status: 0, retryAfter: null, error: (e as Error).message, start, end: performance.now() };
  }
}

/** `requests` colour requests at `concurrency`; `during(done)` runs after each answer (to inject a fault). */
async function load(requests: number, concurrency: number, during?: (done: number) => void): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const i = next++;
      outcomes.push(await classify(i % 3));
      during?.(outcomes.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

const wrong = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 200 && o.label !== COLOUR_NAMES[o.colour]);
const notOk = (outcomes: Outcome[]) => outcomes.filter((o) => o.status !== 200);
const p99 = (outcomes: Outcome[]) => percentile(outcomes.map((o) => o.end - o.start), 99);

function summary(name: string, outcomes: Outcome[]): string {
  const statuses: Record<number, number> = {};
  for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  const errors = notOk(outcomes).map((o) => `\n  ${o.status} Retry-After ${o.retryAfter}: ${o.error}`);
  return `hosts ${name}: ${outcomes.length} requests, statuses ${JSON.stringify(statuses)}, ${wrong(outcomes).length} wrong, p50 ${percentile(outcomes.map((o) => o.end - o.start), 50).toFixed(0)} ms, p99 ${p99(outcomes).toFixed(0)} ms${errors.join('')}`;
}

/** Requests (at concurrency 4) until `done(served counts)` holds, at most `ms`; returns the milliseconds it took. */
async function trafficUntil(done: (served: number[]) => boolean, ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    await load(12, 4);
    if (done(await served())) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: hosts ${JSON.stringify((await serviceHealth()).body.hosts)}`);
  }
}

beforeAll(async () => {
  images = await Promise.all([[220, 30, 30], [30, 220, 30], [30, 30, 220]].map((rgb) => solidPng(rgb, 64, 48)));
  const couleursManifest = { labels: 'couleurs.txt', scale: 255, mean: [0, 0, 0], std: [1, 1, 1] };
  service = await startService({
    hosts: HOSTS,
    labels: COLOUR_LABELS,
    objects: {
      [COLOURS_KEY]: colourProbeModel(),
      [COULEURS_KEY]: colourProbeModel(),
      [manifestKey(COULEURS_KEY)]: JSON.stringify(couleursManifest),
      'couleurs.txt': COULEURS.map((c) => `${c[0]} ${c}`).join('\n'),
    },
    vars: { MODELS: `${COLOURS_KEY},${COULEURS_KEY}` },
  });
  hostUrls = service.hostPorts.map((p) => `ws://127.0.0.1:${p}`);
}, 300_000);

afterAll(async () => {
  if (byHand) await killHost(byHand);
  await service?.stop();
});

describe(`${HOSTS} GPU hosts, 2 models, 3 replicas each`, () => {
  it('/healthz lists both models and every host; the replicas of each model are dealt one per host', async () => {
    const { status, body } = await serviceHealth();
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.hosts.map((h) => [h.url, h.ok])).toEqual(hostUrls.map((url) => [url, true]));
    const sha = createHash('sha256').update(colourProbeModel()).digest('hex');
    expect(body.models.map((m) => [m.key, m.loaded, m.sha256, m.standIn])).toEqual([
      [COLOURS_KEY, true, sha, false],
      [COULEURS_KEY, true, sha, false],
    ]);
    for (const [m, model] of body.models.entries()) {
      // Model m's replica r is replica number 3m + r overall, dealt round the hosts: with 3 and 3, host r.
      expect(model.replicas.map((r) => [r.replica, r.home, r.host, r.ok])).toEqual(hostUrls.map((url, r) => [r, hostUrls[(m * 3 + r) % HOSTS], url, true]));
    }
    // Each GPU host holds one connection per replica it serves: one of each model.
    for (const port of service.hostPorts) expect((await hostHealth(port)).connections).toBe(2);
  });

  it('two models at once: each answers with its own labels; an unknown ?model= is a 400 naming the served ones', async () => {
    const asks = Array.from({ length: 24 }, (_, i) => ({ colour: i % 3, model: i % 2 ? COULEURS_KEY : COLOURS_KEY }));
    const answers = await Promise.all(asks.map((a) => classify(a.colour, a.model)));
    expect(answers.map((o) => o.status)).toEqual(asks.map(() => 200));
    expect(answers.map((o) => o.label)).toEqual(asks.map((a) => (a.model === COULEURS_KEY ? COULEURS : COLOUR_NAMES)[a.colour]));
    // Without ?model= the first of MODELS answers.
    expect((await classify(1)).label).toBe('green');

    const r = await fetchWithin(`${service.url}/?model=vgg16.onnx`, { method: 'POST', body: images[0], headers: { 'Content-Type': 'image/png' } });
    const error = await expectError(r, 400, 'unknown_model');
    expect(error.error.message).toContain(`${COLOURS_KEY}, ${COULEURS_KEY}`);
  });

  it('the upload page offers both models and classifies with the one picked', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(service.url);
      await page.locator('#model-picker').waitFor({ state: 'visible' });
      expect(await page.locator('#model-choice option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value))).toEqual([COLOURS_KEY, COULEURS_KEY]);
      await page.selectOption('#model-choice', COULEURS_KEY);
      await page.setInputFiles('#file', { name: 'red.png', mimeType: 'image/png', buffer: Buffer.from(images[0]) });
      await page.locator('body[data-state="done"]').waitFor();
      expect(await page.locator('#labels .label').first().textContent()).toBe('rouge');
      expect(await page.locator('#model-choice').inputValue()).toBe(COULEURS_KEY);
      expect(await page.locator('p#model').textContent()).toBe(`Model: ${COULEURS_KEY}`);
    } finally {
      await browser.close();
    }
  });

  it('300 requests at concurrency 8 spread over the hosts, each serving at least 15%', async () => {
    const before = await served();
    const outcomes = await load(300, 8);
    console.log(summary('spread', outcomes));
    expect(notOk(outcomes)).toEqual([]);
    expect(wrong(outcomes)).toEqual([]);
    const after = await served();
    const share = after.map((n, i) => (n - before[i]) / 300);
    console.log(`hosts spread: ${share.map((s) => `${(s * 100).toFixed(1)}%`).join(' ')}`);
    expect(share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (const s of share) expect(s).toBeGreaterThanOrEqual(0.15);
  });

  it('one host SIGKILLed during 300 requests: at most 1% not 200 (only 503 + Retry-After), none wrong; /healthz stays 200', async () => {
    let killed: Promise<void> | undefined;
    const outcomes = await load(300, 8, (done) => {
      if (done === 60 && !killed) killed = service.stopHost('SIGKILL', 1);
    });
    await killed;
    console.log(summary('SIGKILL', outcomes));
    const failed = notOk(outcomes);
    expect(failed.length).toBeLessThanOrEqual(3);
    for (const o of failed) {
      expect(o.status).toBe(503);
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
    }
    expect(wrong(outcomes)).toEqual([]);

    const { status, body } = await serviceHealth();
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.hosts.map((h) => h.ok)).toEqual([true, false, true]);
    // Host 1's replicas moved to the next live host.
    for (const model of body.models) expect(model.replicas[1]).toMatchObject({ home: hostUrls[1], host: hostUrls[2], ok: true });
  });

  it('the killed host restarted by hand (the gpu-host CLI, token from .dev.vars) serves again within 60 s', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hosts-test-'));
    const devVars = path.join(dir, '.dev.vars');
    await writeFile(devVars, `GPU_HOST_TOKEN=${service.token}\n`);
    const restarted = Date.now();
    byHand = await spawnHost({ devVars }, service.hostPorts[1]);
    const before = (await served())[1];
    const ms = await trafficUntil((s) => s[1] > before, 60_000);
    console.log(`hosts: the restarted host served again ${Date.now() - restarted} ms after it was started (${ms} ms of traffic)`);
    const { body } = await serviceHealth();
    expect(body.hosts[1].ok).toBe(true);
    // Back home: replica 1 of the first model compiled there in the background and moved.
    expect(body.models[0].replicas[1].host).toBe(hostUrls[1]);
  });

  it('one host SIGSTOPped under load: one wave of requests waits the bridge bound, later ones skip the host; it is used again after SIGCONT', async () => {
    const pid = service.hostPid(2)!;
    let stoppedAt = 0;
    let outcomes: Outcome[];
    try {
      outcomes = await load(360, 8, (done) => {
        if (done === 40 && !stoppedAt) {
          process.kill(pid, 'SIGSTOP');
          stoppedAt = performance.now();
        }
      });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    console.log(summary('SIGSTOP', outcomes));
    expect(wrong(outcomes)).toEqual([]);
    for (const o of notOk(outcomes)) {
      expect(o.status).toBe(503);
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
    }
    expect(notOk(outcomes).length).toBeLessThanOrEqual(4);
    // "Waited the bound": took at least most of it. Every such request began before the first of them ended:
    // once one request has paid the bound, the host is known to be hung and nobody waits on it again.
    const waited = outcomes.filter((o) => o.end - o.start >= BRIDGE_BOUND_MS * 0.8);
    console.log(`hosts SIGSTOP: ${waited.length} request(s) waited >= ${BRIDGE_BOUND_MS * 0.8} ms, starting ${waited.map((o) => (o.start - stoppedAt).toFixed(0)).join(', ')} ms after the stop`);
    const firstEnd = Math.min(...waited.map((o) => o.end));
    for (const o of waited) expect(o.start).toBeLessThan(firstEnd);

    const { done } = await retryUntil(
      () => fetchWithin(`${service.url}/healthz`),
      async (r) => ((await r.json()) as HealthBody).hosts[2].ok,
      { ms: 30_000, intervalMs: 500 },
    );
    expect(done).toBe(true);
    const before = (await served())[2];
    await trafficUntil((s) => s[2] > before, 60_000);
  });
});
