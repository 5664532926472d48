/** @module Classification results as SPEC.md's text/plain lines or JSON body. */
import type { Prediction } from '../durable-objects/protocol.ts';

interface Timings {
  decode: number;
  preprocess: number;
  inference: number;
  total: number;
}

/** `n02051845 pelican\t0.9132`, best first, one per line. */
export function formatText(top: readonly Prediction[]): string {
  return top.map((p) => `${[p.synset, p.label].filter(Boolean).join(' ')}\t${p.probability.toFixed(4)}`).join('\n') + '\n';
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function formatJson(model: string, top: readonly Prediction[], timings: Timings): unknown {
  return {
    model,
    top: top.map((p) => ({ index: p.index, synset: p.synset, label: p.label, probability: p.probability })),
    timings_ms: { decode: round(timings.decode), preprocess: round(timings.preprocess), inference: round(timings.inference), total: round(timings.total) },
  };
}
