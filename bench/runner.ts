/** @module Runs one peer: load, warm-up, timed runs. Failures become a recorded error, never a dropped peer. */
import { median, p90 } from './stats.ts';
import type { Peer, PeerContext } from './peers/types.ts';

export type PeerResult =
  | { ok: true; medianMs: number; p90Ms: number; loadMs: number; output: Float32Array; details?: Record<string, string | number> }
  | { ok: false; error: string };

export interface RunPlan {
  warmup: number;
  runs: number;
}

function message(e: unknown): string {
  if (e instanceof Error) return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`.split('\n')[0];
  return String(e);
}

export async function measurePeer(peer: Peer, ctx: PeerContext, plan: RunPlan): Promise<PeerResult> {
  const started = performance.now();
  let loaded;
  try {
    loaded = await peer.load(ctx);
  } catch (e) {
    return { ok: false, error: message(e) };
  }
  try {
    const loadMs = performance.now() - started;
    let output = await loaded.run();
    for (let i = 0; i < plan.warmup; i++) output = await loaded.run();
    const samples: number[] = [];
    for (let i = 0; i < plan.runs; i++) {
      const t0 = performance.now();
      output = await loaded.run();
      samples.push(performance.now() - t0);
    }
    // Copy: some runtimes reuse or free the output's memory on dispose.
    return { ok: true, medianMs: median(samples), p90Ms: p90(samples), loadMs, output: Float32Array.from(output), details: loaded.details };
  } catch (e) {
    return { ok: false, error: message(e) };
  } finally {
    await Promise.resolve(loaded.dispose()).catch(() => undefined);
  }
}
