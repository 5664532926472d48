/**
 * The whole service as users run it: GPU host + `wrangler dev` (workerd, local R2) + our engine, driven over
 * HTTP. Answers are checked against onnxruntime on the same PIL-exact crop computed in Node (images/ is checked against PIL in test/images/pil-crop.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngHeaderOnly } from '../../images/test-fixtures.ts';
import { IMAGENET_SYNSETS_PATH, SQUEEZENET11_PATH } from '../../models/paths.ts';
import { normalize, prepareImage } from '../../images/index.ts';
import { runOrt } from '../helpers/ort.ts';
import { startService, waitForBatching, type Service } from './harness.ts';
import { multipart, photoLikeJpeg, solidPng } from './images.ts';


interface JsonAnswer {
  model: string;
  top: { index: number; synset: string; label: string; probability: number }[];
  timings_ms: Record<'decode' | 'preprocess' | 'inference' | 'total', number>;
}

describe('service (wrangler dev + GPU host)', () => {
  let service: Service;
  let model: Uint8Array;
  let labels: string[];
  let photo: Uint8Array;

  beforeAll(async () => {
    model = new Uint8Array(await readFile(SQUEEZENET11_PATH));
    const synsets = await readFile(IMAGENET_SYNSETS_PATH, 'utf8');
    labels = synsets.split('\n').filter(Boolean);
    photo = await photoLikeJpeg();
    service = await startService({ model, labels: synsets });
  }, 240_000);
  afterAll(() => service?.stop());

  const classify = (body: FormData | Uint8Array, query = '', headers: Record<string, string> = {}) =>
    fetch(`${service.url}/${query}`, { method: 'POST', body, headers });

  it('should read the model from R2 and build the session once for 20 concurrent first requests', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => classify(multipart(photo, 'image/jpeg'), '?format=json')));
    if (answers.some((r) => r.status !== 200)) console.log(await answers.find((r) => r.status !== 200)!.text(), service.logs.join('').slice(-4000));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as JsonAnswer[];
    expect(new Set(bodies.map((b) => JSON.stringify(b.top))).size).toBe(1);
    const health = (await (await fetch(`${service.url}/healthz`)).json()) as { loader: { r2Reads: number; sessionBuilds: number }; batches: Record<string, number> };
    expect(health.loader).toMatchObject({ r2Reads: 1, sessionBuilds: 1 });
    // They queued behind the load, so they ran as dynamic batches, and every one still got the same answer.
    expect(Object.keys(health.batches).map(Number).some((size) => size > 1)).toBe(true);
  });

  it('should build a session for every batch size in the background once the model is loaded', async () => {
    expect(await waitForBatching(service)).toEqual({ maxBatch: 8, ready: [1, 2, 4, 8], preparing: false });
  });

  // The crop is checked against PIL byte for byte (test/images/pil-crop.test.ts); here the same crop, computed in
  // Node, goes through onnxruntime, so the ranks of a random-weight stand-in's close scores compare like with like.
  it('should return the top-5 that onnxruntime gives on the PIL-exact preprocessing, as text/plain', async () => {
    const response = await classify(multipart(photo, 'image/jpeg'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = (await response.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const want = await runOrt(model, { data: { data: normalize((await prepareImage(photo)).crop), dims: [1, 3, 224, 224] } });
    const scores = Object.values(want)[0].data;
    const top5 = [...scores.keys()].sort((a, b) => scores[b] - scores[a]).slice(0, 5);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^${labels[top5[i]].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\t0\\.\\d{4}$`)));
  });

  it('should answer JSON with softmax probabilities, labels and measured timings', async () => {
    const response = await classify(multipart(photo, 'image/jpeg'), '?top=3', { Accept: 'application/json' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as JsonAnswer;
    expect(body.model).toBe('squeezenet1.1-7.onnx');
    expect(body.top).toHaveLength(3);
    expect(body.top[0].probability).toBeGreaterThanOrEqual(body.top[1].probability);
    expect(`${body.top[0].synset} ${body.top[0].label}`).toBe(labels[body.top[0].index]);
    for (const k of ['decode', 'preprocess', 'inference', 'total'] as const) expect(body.timings_ms[k]).toBeGreaterThanOrEqual(0);
    expect(body.timings_ms.total).toBeGreaterThanOrEqual(body.timings_ms.inference);
  });

  it('should take the raw body with an image Content-Type on /classify', async () => {
    const png = await solidPng([200, 30, 40]);
    const raw = await fetch(`${service.url}/classify?format=json`, { method: 'POST', body: png, headers: { 'Content-Type': 'image/png' } });
    const form = await classify(multipart(png, 'image/png'), '?format=json');
    expect(raw.status).toBe(200);
    expect(((await raw.json()) as JsonAnswer).top).toEqual(((await form.json()) as JsonAnswer).top);
  });

  it('should report the adapter and the stand-in model in /healthz', async () => {
    const response = await fetch(`${service.url}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; gpu: { description: string }; model: { key: string; loaded: boolean; standIn: boolean; sha256: string } };
    expect(body).toMatchObject({ ok: true, model: { key: 'squeezenet1.1-7.onnx', loaded: true, standIn: true } });
    expect(body.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(body.gpu.description.length).toBeGreaterThan(0);
  });

  describe('errors (SPEC.md): status and code, and the next valid request still succeeds', () => {
    const cases: { name: string; status: number; code: string; send: () => Promise<Response>; allow?: string }[] = [
      { name: 'empty raw body', status: 400, code: 'empty_body', send: () => fetch(`${service.url}/`, { method: 'POST', body: new Uint8Array(), headers: { 'Content-Type': 'image/jpeg' } }) },
      { name: 'empty multipart file', status: 400, code: 'empty_body', send: () => classify(multipart(new Uint8Array(), 'image/png')) },
      { name: 'random bytes as PNG', status: 400, code: 'undecodable_image', send: async () => classify(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 200 }, (_, i) => (i * 73) % 256)]), '', { 'Content-Type': 'image/png' }) },
      { name: 'truncated JPEG', status: 400, code: 'truncated_image', send: async () => classify(photo.slice(0, Math.floor(photo.length / 2)), '', { 'Content-Type': 'image/jpeg' }) },
      { name: 'top out of range', status: 400, code: 'bad_parameter', send: () => classify(multipart(photo, 'image/jpeg'), '?top=21') },
      { name: 'top not a number', status: 400, code: 'bad_parameter', send: () => classify(multipart(photo, 'image/jpeg'), '?top=abc') },
      { name: 'multipart without file', status: 400, code: 'missing_file', send: () => classify(multipart(photo, 'image/jpeg', 'image')) },
      { name: 'wrong method', status: 405, code: 'method_not_allowed', allow: 'POST', send: () => fetch(`${service.url}/classify`, { method: 'GET' }) },
      { name: 'body over 20 MiB', status: 413, code: 'body_too_large', send: () => classify(new Uint8Array(20 * 1024 * 1024 + 1), '', { 'Content-Type': 'image/jpeg' }) },
      { name: 'image over 50 megapixels (header)', status: 413, code: 'image_too_large', send: async () => classify(pngHeaderOnly(100_000, 100_000), '', { 'Content-Type': 'image/png' }) },
      { name: 'text as raw body', status: 415, code: 'unsupported_media_type', send: () => classify(new TextEncoder().encode('hello'), '', { 'Content-Type': 'text/plain' }) },
      { name: 'SVG as multipart file', status: 415, code: 'unsupported_media_type', send: () => classify(multipart(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml')) },
    ];
    it.each(cases)('$name -> $status $code', async ({ status, code, send, allow }) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      if (allow) expect(response.headers.get('allow')).toBe(allow);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(10);
      expect((await classify(multipart(photo, 'image/jpeg'))).status).toBe(200);
    });
  });
});
