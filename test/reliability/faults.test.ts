/**
 * Faults under the real service: no GPU host at start, the host killed (SIGKILL) or stopped (SIGTERM) with
 * requests in flight, repeated device loss, the host hung (SIGSTOP). Every request ends in 200 or SPEC's 503
 * with Retry-After, none in a 500 or a hang, and the service recovers on its own once the host is back without
 * restarting wrangler dev.
 * Last, wrangler dev itself is restarted: the new Durable Object reloads the model from R2 transparently.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQUEEZENET11_PATH } from '../../models/paths.ts';
import { startService, type Service } from '../service/harness.ts';
import { photoLikeJpeg } from '../service/images.ts';
import { expectError, fetchWithin, retryUntil, serviceHealth } from './support.ts';

/** SPEC: nothing may hang; a request that outlives this is a failure even if it would answer later. */
const REQUEST_BOUND_MS = 30_000;

let service: Service;
let photo: Uint8Array;
let wranglerPid: number | undefined;
let baseline: string;

const classify = () =>
  fetchWithin(`${service.url}/?format=json`, { method: 'POST', body: photo, headers: { 'Content-Type': 'image/jpeg' } }, REQUEST_BOUND_MS);

const health = () => serviceHealth(service.url, REQUEST_BOUND_MS);

/** 200 with the baseline answer, or SPEC's 503; anything else (500, other codes) fails. Returns the status. */
async function expectOkOr503(response: Response): Promise<number> {
  if (response.status === 503) {
    await expectError(response, 503, 'gpu_unavailable');
    return 503;
  }
  const text = await response.text();
  expect(response.status, text).toBe(200);
  // Same classes in the same order; probabilities equal to float32 noise (a rebuilt session on a new device
  // differed in the 7th digit under parallel load, which is a different summation order, not a different answer).
  const top = JSON.parse(text).top as { index: number; probability: number }[];
  const want = JSON.parse(baseline) as typeof top;
  expect(top.map((p) => p.index)).toEqual(want.map((p) => p.index));
  top.forEach((p, i) => expect(p.probability).toBeCloseTo(want[i].probability, 5));
  return 200;
}

/**
 * After the host is back: requests until one succeeds, at most `ms`. The first may still be answered 503 (the
 * old connection's loss is noticed by that request); more than a couple would mean the service does not heal.
 */
async function untilServing(ms = 30_000): Promise<{ unavailable: number }> {
  const { done, retries } = await retryUntil(classify, async (r) => (await expectOkOr503(r)) === 200, { ms, intervalMs: 250 });
  if (!done) throw new Error(`still 503 after ${ms} ms and ${retries} tries`);
  return { unavailable: retries };
}

beforeAll(async () => {
  photo = await photoLikeJpeg(3);
  service = await startService({ model: new Uint8Array(await readFile(SQUEEZENET11_PATH)), withoutHost: true });
  wranglerPid = service.wranglerPid();
}, 240_000);
afterAll(() => service?.stop());

describe('GPU host faults', () => {
  it('host not running at start: 503 + Retry-After and /healthz 503 with a reason; then it starts and requests succeed', async () => {
    const body = await expectError(await classify(), 503, 'gpu_unavailable');
    expect(body.error.message).toMatch(/GPU host/);
    // What the upload's own bytes refuse is refused as such, GPU or not: never a 503 for a client's mistake.
    const post = (bytes: Uint8Array, type: string) => fetchWithin(`${service.url}/`, { method: 'POST', body: bytes, headers: { 'Content-Type': type } }, REQUEST_BOUND_MS);
    await expectError(await post(new TextEncoder().encode('not an image'), 'text/plain'), 415, 'unsupported_media_type');
    await expectError(await post(new Uint8Array(), 'image/jpeg'), 400, 'empty_body');
    await expectError(await post(photo.subarray(0, 2), 'image/jpeg'), 400, 'undecodable_image');
    const h = await health();
    expect(h.status).toBe(503);
    expect(Number(h.retryAfter)).toBeGreaterThan(0);
    expect(h.body.ok).toBe(false);
    expect(h.body.reason).toMatch(/GPU/);
    expect(h.body.model.loaded).toBe(false);

    await service.startHost();
    const first = await classify();
    const text = await first.text();
    expect(first.status, text).toBe(200);
    baseline = JSON.stringify(JSON.parse(text).top);
    expect((await health()).body).toMatchObject({ ok: true, model: { loaded: true } });
    expect(service.wranglerPid()).toBe(wranglerPid);
  });

  it('host SIGKILLed with 8 requests in flight: each gets 200 or 503 within the bound; it heals after startHost()', async () => {
    const started = Date.now();
    const inFlight = Array.from({ length: 8 }, () => classify().then(expectOkOr503));
    // Long enough for the requests to be decoded and inside the Durable Object, short of all of them finishing.
    await new Promise((r) => setTimeout(r, 120));
    await service.stopHost('SIGKILL');
    const statuses = await Promise.all(inFlight);
    expect(Date.now() - started).toBeLessThan(REQUEST_BOUND_MS);
    console.log(`faults: in-flight statuses at SIGKILL: ${statuses.join(' ')}`);

    // With the host down: 503 (not a hang, not a 500), and /healthz says so.
    await expectError(await classify(), 503, 'gpu_unavailable');
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.ok).toBe(false);

    await service.startHost();
    const { unavailable } = await untilServing();
    expect(unavailable).toBeLessThanOrEqual(2);
    expect(service.wranglerPid()).toBe(wranglerPid);
  });

  it('device lost 3 times (SIGKILL, SIGTERM, SIGKILL): the session is rebuilt once per loss, same answers', async () => {
    for (const signal of ['SIGKILL', 'SIGTERM', 'SIGKILL'] as const) {
      const before = (await health()).body.loader;
      // A request in flight during each loss, to exercise the error path rather than only the idle reconnect.
      const during = classify().then(expectOkOr503);
      await new Promise((r) => setTimeout(r, 60));
      await service.stopHost(signal);
      await during;
      await service.startHost();
      await untilServing();
      // Concurrent requests right after recovery share the one rebuilt session.
      const statuses = await Promise.all(Array.from({ length: 4 }, () => classify().then(expectOkOr503)));
      expect(statuses).toEqual([200, 200, 200, 200]);
      const after = (await health()).body.loader;
      // One rebuild for this loss; a request that failed on the dying device may have started one more load.
      expect(after.sessionBuilds - before.sessionBuilds).toBeGreaterThanOrEqual(1);
      expect(after.sessionBuilds - before.sessionBuilds).toBeLessThanOrEqual(2);
    }
    expect(service.wranglerPid()).toBe(wranglerPid);
  });

  it('host hung (SIGSTOP) with requests in flight: 503 once the bridge timeout passes, not a hang; it heals after SIGCONT', async () => {
    await untilServing();
    const pid = service.hostPid()!;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const requests = Promise.all(Array.from({ length: 3 }, () => classify().then(expectOkOr503)));
      // /healthz probes the GPU with its own, shorter bound (durable-objects/classifier.ts): unhealthy within ~5 s.
      const h = await health();
      const healthAfter = Date.now() - started;
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ ok: false, model: { loaded: true } });
      expect(h.body.reason).toMatch(/did not answer a health probe/);
      expect(healthAfter).toBeLessThan(10_000);
      const statuses = await requests;
      const waited = Date.now() - started;
      console.log(`faults: requests to a stopped host: ${statuses.join(' ')} after ${waited} ms`);
      // The DO's default per-call bound (durable-objects/gpu-source.ts) is 15 s: well inside SPEC's "no hang".
      expect(statuses).toEqual([503, 503, 503]);
      expect(waited).toBeLessThan(REQUEST_BOUND_MS);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const { unavailable } = await untilServing();
    expect(unavailable).toBeLessThanOrEqual(2);
    expect(service.hostPid()).toBe(pid);
  });
});

describe('Durable Object restart', () => {
  it('wrangler dev restarted: the fresh Classifier reloads the model from R2 once and answers the same', async () => {
    await service.restartWrangler();
    const answers = await Promise.all(Array.from({ length: 4 }, () => classify().then(expectOkOr503)));
    expect(answers).toEqual([200, 200, 200, 200]);
    // A new Durable Object instance: its counters start again, one R2 read and one build for all four requests.
    expect((await health()).body.loader).toMatchObject({ r2Reads: 1, sessionBuilds: 1, loads: 1 });
  });
});
