/**
 * @module `npm run bench -- --service`: requests per second and latency of the running service (npm start) at
 * concurrency 1, 4 and 16, posting one synthetic PNG as multipart field `file`. Bounded: `--requests` per level.
 * Writes bench/results/service.json.
 */
import type { BenchArgs } from './args.ts';
import { syntheticPng, type EncodedImage } from './image.ts';
import { loopbackClassifyUrl } from './loopback.ts';
import { writeResult } from './report.ts';
import { median, percentile } from './stats.ts';
import { renderTable } from './table.ts';

export const CONCURRENCY_LEVELS = [1, 4, 16] as const;

interface Outcome {
  ms: number;
  status: number;
  /** The Worker's own decode + preprocess milliseconds, from the JSON answer's timings. */
  workerMs?: number;
  /** Network failure or non-2xx: the body's first line, to say why. */
  error?: string;
}

export interface LevelResult {
  concurrency: number;
  requests: number;
  ok: number;
  errors: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Median of the Worker's decode + preprocess time per request. */
  worker_ms: number;
  statuses: Record<string, number>;
  first_error?: string;
}

export async function post(url: URL, image: EncodedImage): Promise<Outcome> {
  const form = new FormData();
  form.append('file', new Blob([image.bytes], { type: image.type }), 'bench.png');
  const t0 = performance.now();
  try {
    const response = await fetch(url, { method: 'POST', body: form, headers: { Accept: 'application/json' } });
    // The latency a client sees includes reading the whole answer.
    const body = await response.text();
    const ms = performance.now() - t0;
    if (!response.ok) return { ms, status: response.status, error: body.slice(0, 200) };
    const timings = (JSON.parse(body) as { timings_ms?: { decode: number; preprocess: number } }).timings_ms;
    return { ms, status: response.status, workerMs: timings ? timings.decode + timings.preprocess : undefined };
  } catch (e) {
    return { ms: performance.now() - t0, status: 0, error: (e as Error).cause ? String((e as Error).cause) : (e as Error).message };
  }
}

export async function runLevel(url: URL, image: EncodedImage, concurrency: number, requests: number): Promise<LevelResult> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next++;
      outcomes.push(await post(url, image));
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const ok = outcomes.filter((o) => !o.error);
  const statuses: Record<string, number> = {};
  for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  // Latency of successful requests only: a fast 503 must not make the service look quick.
  const latencies = ok.map((o) => o.ms);
  return {
    concurrency,
    requests,
    ok: ok.length,
    errors: outcomes.length - ok.length,
    rps: ok.length / seconds,
    p50_ms: median(latencies),
    p99_ms: percentile(latencies, 99),
    worker_ms: median(ok.flatMap((o) => (o.workerMs === undefined ? [] : [o.workerMs]))),
    statuses,
    first_error: outcomes.find((o) => o.error)?.error,
  };
}

export async function benchService(args: BenchArgs): Promise<void> {
  const url = loopbackClassifyUrl(args.url);
  const image = await syntheticPng();
  console.log(`service: POST ${url.href} (multipart "file": ${image.width}x${image.height} PNG, ${image.bytes.byteLength} bytes), ${args.requests} requests per level`);
  // One request first: the first inference may compile kernels or load the model, which is not steady state.
  const warm = await post(url, image);
  if (warm.error) throw new Error(`the service at ${url.origin} did not answer the warm-up request (status ${warm.status}): ${warm.error}. Is \`npm start\` running?`);

  const levels: LevelResult[] = [];
  for (const c of CONCURRENCY_LEVELS) {
    const r = await runLevel(url, image, c, args.requests);
    levels.push(r);
    console.log(`concurrency ${String(c).padStart(2)}: ${r.rps.toFixed(1)} req/s, p50 ${r.p50_ms.toFixed(1)} ms, p99 ${r.p99_ms.toFixed(1)} ms, ${r.errors} errors`);
  }
  console.log(
    `\n${renderTable(
      ['concurrency', 'requests', 'ok', 'req/s', 'p50 ms', 'p99 ms', 'statuses'],
      levels.map((l) => [l.concurrency, l.requests, l.ok, l.rps, l.p50_ms, l.p99_ms, Object.entries(l.statuses).map(([s, n]) => `${s}x${n}`).join(' ')]),
    )}\n`,
  );
  for (const l of levels) if (l.first_error) console.log(`concurrency ${l.concurrency}: first error: ${l.first_error}`);
  const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 100) / 100 : null);
  const path = await writeResult('service.json', {
    url: url.href,
    image: { type: image.type, width: image.width, height: image.height, bytes: image.bytes.byteLength },
    requests_per_level: args.requests,
    levels: levels.map((l) => ({ ...l, rps: round(l.rps), p50_ms: round(l.p50_ms), p99_ms: round(l.p99_ms) })),
  });
  console.log(`wrote ${path}`);
}
