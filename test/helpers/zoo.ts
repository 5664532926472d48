/**
 * @module Shared checks for the zoo stand-ins: seeded inputs in a model's own layout, class probabilities from
 * either kind of output, and what makes a random-weight model's top-5 worth comparing.
 */
import { expect } from 'vitest';
import onnxProto from 'onnx-proto';
import type { StandInSpec } from '../../models/stand-in.ts';
import { CATALOG, ON_DEMAND_PARAMS, paramsOf, type CatalogEntry } from '../../models/catalog.ts';
import type { OrtTensor } from './ort.ts';
import { randomFloat32 } from './random.ts';

const { onnx } = onnxProto;

/** Node count per op type of an ONNX model. */
export function opCounts(bytes: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of onnx.ModelProto.decode(bytes).graph?.node ?? []) {
    const op = n.opType ?? '';
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

/**
 * The stand-ins a default test run exercises: all but the on-demand giants (VGG, AlexNet family, ResNet-101/152),
 * which `ZOO_ALL=1` adds. Building them costs seconds each and hundreds of MB; they share their layer code with
 * the smaller ones that always run.
 */
export function zooUnderTest(): CatalogEntry[] {
  return process.env.ZOO_ALL === '1' ? [...CATALOG] : CATALOG.filter((e) => paramsOf(e) <= ON_DEMAND_PARAMS);
}

/** Uniform [-1.7, 1.7) noise (about unit variance, like a normalized image) in the input's declared shape. */
export function zooInput(spec: StandInSpec, seed: number): OrtTensor {
  const dims = spec.input.dims.map((d) => (typeof d === 'number' ? d : 1));
  return { data: randomFloat32(dims.reduce((a, b) => a * b, 1), seed, 1.7), dims };
}

export function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const e = Float64Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Class probabilities: the output itself when the graph ends in Softmax, else its softmax. */
export function probabilities(spec: StandInSpec, output: Float32Array): Float64Array {
  return spec.output.kind === 'probabilities' ? Float64Array.from(output) : softmax(output);
}

export function top5(v: ArrayLike<number>): number[] {
  return [...Array(v.length).keys()].sort((a, b) => v[b] - v[a]).slice(0, 5);
}

/** Top-1 probability well below certainty and above uniform, top-5 pairwise distinct: the ranking carries information. */
export function expectMeaningfulTop5(probs: Float64Array): void {
  expect(probs.every(Number.isFinite)).toBe(true);
  expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  const top = [...probs].sort((a, b) => b - a).slice(0, 5);
  expect(top[0]).toBeLessThan(0.99);
  expect(top[0]).toBeGreaterThan(5 / probs.length); // not flat either
  for (let i = 1; i < 5; i++) expect(top[i - 1] - top[i]).toBeGreaterThan(1e-6);
}
