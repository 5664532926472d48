/** @module A synthetic test photo encoded as PNG in Node, for the service load test (no image files in the repo). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import encodePng, { init as initPngEncoder } from '@jsquash/png/encode';
import { mulberry32 } from '../models/prng.ts';

export interface EncodedImage {
  bytes: Uint8Array;
  type: 'image/png';
  width: number;
  height: number;
}

/**
 * Smooth colour gradients plus seeded noise: resembles a photo to the codec (so encode/decode cost is realistic,
 * unlike a flat image that compresses to nothing) and is the same bytes every run.
 */
function syntheticRgba(width: number, height: number, seed: number): Uint8ClampedArray {
  const random = mulberry32(seed);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const noise = (random() - 0.5) * 40;
      rgba[i] = (255 * x) / width + noise;
      rgba[i + 1] = (255 * y) / height + noise;
      rgba[i + 2] = 128 + 100 * Math.sin((x + y) / 17) + noise;
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

export async function syntheticPng(width = 320, height = 240, seed = 11): Promise<EncodedImage> {
  // jSquash fetches its wasm by URL, which Node's fetch cannot do for file: URLs; hand it the bytes instead.
  const wasmPath = createRequire(import.meta.url).resolve('@jsquash/png/codec/pkg/squoosh_png_bg.wasm');
  await initPngEncoder(await readFile(wasmPath));
  const data = syntheticRgba(width, height, seed);
  const png = await encodePng({ data, width, height, colorSpace: 'srgb' } as Parameters<typeof encodePng>[0]);
  return { bytes: new Uint8Array(png), type: 'image/png', width, height };
}
