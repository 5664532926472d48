/**
 * @module Shared helpers of the reliability suite: bounded requests (a hang is a failure, not a stuck suite),
 * SPEC error-body checks, seeded randomness and the colour-probe model several files use.
 */
import { expect } from 'vitest';
import { attr, ModelBuilder } from '../../models/onnx-builder.ts';
import { mulberry32 } from '../../models/prng.ts';

/** SPEC.md's error body. */
export interface ErrorBody {
  error: { code: string; message: string; request_id?: string };
}

/** fetch with a deadline: a request that hangs must fail the test quickly instead of stalling the suite. */
export async function fetchWithin(url: string, init: RequestInit = {}, ms = 30_000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
}

/**
 * Asserts SPEC's error shape: the status, the code, a message long enough to say what to do, nosniff, and for a
 * 503 a Retry-After. Returns the parsed body for extra checks.
 */
export async function expectError(response: Response, status: number, code: string | readonly string[]): Promise<ErrorBody> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  if (status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = JSON.parse(text) as ErrorBody;
  const codes = typeof code === 'string' ? [code] : code;
  expect(codes).toContain(body.error.code);
  expect(body.error.message.length).toBeGreaterThan(20);
  return body;
}

/** The fields of the service's /healthz body that the reliability tests read. */
export interface ServiceHealth {
  ok: boolean;
  reason?: string;
  model: { key: string; loaded: boolean };
  loader: { r2Reads: number; sessionBuilds: number; loads: number };
}

/** GET `<url>/healthz` within `ms`: the status, Retry-After and the parsed body. */
export async function serviceHealth(url: string, ms = 30_000): Promise<{ status: number; retryAfter: string | null; body: ServiceHealth }> {
  const r = await fetchWithin(`${url}/healthz`, {}, ms);
  return { status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as ServiceHealth };
}

/**
 * Sends `send()` until `done(response)` holds, pausing `intervalMs` between tries so a recovering service is not
 * hammered. After `ms` it stops at the first try that fails `done`. Returns the last response (its body unread
 * unless `done` read it), whether `done` held, and how many tries did not satisfy it. `done` may assert on each
 * response (e.g. "200 or SPEC's 503"); discarded responses' bodies are cancelled.
 */
export async function retryUntil(
  send: () => Promise<Response>,
  done: (response: Response) => boolean | Promise<boolean>,
  { ms = 30_000, intervalMs = 250 }: { ms?: number; intervalMs?: number } = {},
): Promise<{ response: Response; done: boolean; retries: number }> {
  const deadline = Date.now() + ms;
  for (let retries = 0; ; retries++) {
    const response = await send();
    if (await done(response)) return { response, done: true, retries };
    if (Date.now() > deadline) return { response, done: false, retries: retries + 1 };
    if (!response.bodyUsed) await response.body?.cancel().catch(() => {});
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Seeded uniform [0, 1) numbers, so a failing input can be reproduced from the seed in the test name. */
export const rng = mulberry32;

export function randomBytes(random: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

export const COLOUR_LABELS = 'r red\ng green\nb blue\n';
export const COLOUR_NAMES = ['red', 'green', 'blue'] as const;

/**
 * A 3-class "dominant channel" classifier: mean of each normalised channel (GlobalAveragePool), then a Gemm with
 * a fixed identity-like weight matrix (2 on the diagonal, -1 elsewhere: each class scores its channel minus the
 * other two). For the saturated solid colours the tests send, e.g. (220, 30, 30), the normalised means are
 * R 1.65, G -1.51, B -1.28, so the wanted class wins by a wide margin (softmax ~0.9999); the off-diagonal terms
 * only widen that margin compared with a plain identity.
 */
export function colourProbeModel(size = 224): Uint8Array {
  const w = new Float32Array([
    2, -1, -1,
    -1, 2, -1,
    -1, -1, 2,
  ]);
  return new ModelBuilder({ opset: 13 })
    .input('data', [1, 3, size, size])
    .initializer('W', [3, 3], w)
    .initializer('bias', [3], new Float32Array(3))
    .node('GlobalAveragePool', ['data'], ['pooled'])
    .node('Flatten', ['pooled'], ['flat'], { axis: attr.int(1) })
    // transB=1: Y = X * W^T, row i of W scores class i.
    .node('Gemm', ['flat', 'W', 'bias'], ['logits'], { transB: attr.int(1) })
    .output('logits', [1, 3])
    .toBytes();
}
