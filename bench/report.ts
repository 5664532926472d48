/** @module Turns peer results into the printed table and bench/results/latest.json (whose shape is fixed by SPEC). */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PEER_NAMES, type PeerName } from './peers/types.ts';
import type { PeerResult } from './runner.ts';
import type { Profile } from './profile.ts';
import { argmax, maxAbsDiff } from './stats.ts';
import { renderTable, type Cell } from './table.ts';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Same rule as engine-cli/tolerance.ts (|got - want| <= ATOL + RTOL |want|), so bench and tests agree on "matches". */
const ATOL = 1e-4;
const RTOL = 1e-3;

function matches(got: Float32Array, want: Float32Array): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i++) if (!(Math.abs(got[i] - want[i]) <= ATOL + RTOL * Math.abs(want[i]))) return false;
  return true;
}

/** Errors can be paragraphs (ORT's carry a source path); the table gets the gist, latest.json the whole text. */
function shorten(error: string, max = 100): string {
  // ORT's native errors start with a source location and the failed check; the reason comes last.
  error = error.replace(/^\S+\.cc:\d+ .*? was false\. /, '');
  return error.length > max ? `${error.slice(0, max - 3)}...` : error;
}

/** Multiply-accumulates per second, in billions, of one inference taking `ms`. */
export const gmacPerSecond = (macs: number, ms: number): number => macs / ms / 1e6;

export function peerTable(results: ReadonlyMap<PeerName, PeerResult>, reference: PeerName, macs: number): string {
  const ours = results.get('ours');
  const ref = results.get(reference);
  const rows: Cell[][] = PEER_NAMES.map((name) => {
    const r = results.get(name);
    if (!r) return [name, undefined, undefined, undefined, undefined, undefined, 'not run (--only)'];
    if (!r.ok) return [name, undefined, undefined, undefined, undefined, undefined, `error: ${shorten(r.error)}`];
    const ratio = ours?.ok ? r.medianMs / ours.medianMs : undefined;
    let check = 'no reference';
    let diff: number | undefined;
    if (ref?.ok) {
      diff = maxAbsDiff(r.output, ref.output);
      const top1 = argmax(r.output) === argmax(ref.output) ? 'top-1 same' : 'top-1 DIFFERS';
      check = name === reference ? 'reference' : `${matches(r.output, ref.output) ? 'ok' : 'MISMATCH'}, ${top1}`;
    }
    return [name, r.medianMs, r.p90Ms, ratio, gmacPerSecond(macs, r.medianMs), diff, check];
  });
  return renderTable(['peer', 'median ms', 'p90 ms', 'x ours', 'GMAC/s', `max abs diff vs ${reference}`, 'check'], rows);
}

export function profileTables(p: Profile): string {
  const families = renderTable(
    ['family', 'dispatches', 'ms', '% of total'],
    p.families.map((f) => [f.name, f.dispatches, f.ms, f.percent]),
  );
  const kernels = renderTable(
    ['kernel', 'dispatches', 'ms', '% of total'],
    p.kernels.map((k) => [k.name, k.dispatches, k.ms, k.percent]),
  );
  const top = [...p.dispatches].sort((a, b) => b.ms - a.ms).slice(0, 10);
  const dispatches = renderTable(['slowest dispatches', 'family', 'ms'], top.map((d) => [d.label, d.family, d.ms]));
  const summary =
    `sum of dispatches timed one at a time: ${p.sumMs.toFixed(2)} ms; all ${p.dispatches.length} in one submit: ${p.wholeMs.toFixed(2)} ms ` +
    `(median of ${p.repeats}, after subtracting an empty submit's ${p.overheadMs.toFixed(3)} ms round trip)`;
  return `${families}\n\n${kernels}\n\n${dispatches}\n\n${summary}`;
}

type JsonResult = { median_ms: number; p90_ms: number } | { error: string };

export interface LatestJson {
  adapter: string;
  model: string;
  runs: number;
  /** MACs of one inference; a peer's GMAC/s is macs / median_ms / 1e6. */
  macs: number;
  results: Record<PeerName, JsonResult>;
}

export function latestJson(adapter: string, model: string, runs: number, macs: number, results: ReadonlyMap<PeerName, PeerResult>): LatestJson {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const entries = PEER_NAMES.map((name): [PeerName, JsonResult] => {
    const r = results.get(name);
    if (!r) return [name, { error: 'not run (excluded with --only)' }];
    return [name, r.ok ? { median_ms: round(r.medianMs), p90_ms: round(r.p90Ms) } : { error: r.error }];
  });
  return { adapter, model, runs, macs, results: Object.fromEntries(entries) as Record<PeerName, JsonResult> };
}

/** Writes bench/results/<file>: `value` as JSON, or as it is with `text` (an SVG). */
export async function writeResult(file: string, value: unknown, as: 'json' | 'text' = 'json'): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${file}`;
  await writeFile(path, as === 'text' ? String(value) : `${JSON.stringify(value, null, 2)}\n`);
  return path;
}
