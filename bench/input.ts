/** @module The one input every peer gets: seeded, so runs and machines compare like for like. */
import { normalFloat32 } from '../models/prng.ts';

export const INPUT_SEED = 7;

/**
 * Standard normal values: what an ImageNet-normalised image looks like statistically (mean 0, std ~1 per channel),
 * without needing an image decoder in the benchmark loop.
 */
export function benchInput(dims: readonly number[]): Float32Array {
  return normalFloat32(dims.reduce((a, b) => a * b, 1), INPUT_SEED, 1);
}
