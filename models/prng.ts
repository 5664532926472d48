/**
 * @module Seeded random numbers for stand-in weights and test inputs. Pure integer/float arithmetic so the same
 * seed gives bit-identical values on every machine (Math.random and crypto would not).
 */

/** mulberry32: tiny 32-bit PRNG, good enough for weights; state is one uint32. Returns uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples via Box-Muller over mulberry32; uses both outputs of each pair. */
export function normalSampler(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // 1 - u keeps the log argument in (0, 1]: u can be 0, never 1.
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/** Derives a sub-seed from a seed and a label, so each tensor's values do not depend on the order tensors are made. */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label, mixed with the seed.
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** n normal samples times std, rounded to float32. */
export function normalFloat32(n: number, seed: number, std: number): Float32Array {
  const next = normalSampler(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next() * std;
  return out;
}
