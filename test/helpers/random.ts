/** @module Seeded test inputs, reproducible across runs and machines. */
import { mulberry32 } from '../../models/prng.ts';

/** n values uniform in [-scale, scale). */
export function randomFloat32(n: number, seed: number, scale = 1): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
}
