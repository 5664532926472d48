/**
 * The memory a deployed Worker counts (JS heap + wasm memories) while it prepares the worst PNG each cap lets
 * through: as many pixels as the cap allows and a body of up to 20 MiB of incompressible data, decoded by the
 * service's own path (prepareImage). Wasm memory is exact (the codec instance's memory.buffer.byteLength at the
 * end of the decode, its high-water mark since wasm memory never shrinks). workerd exposes no JS heap figure
 * (process.memoryUsage() reads all zeros, performance.measureUserAgentSpecificMemory is absent), so the JS side
 * is bounded by the sizes of the buffers the request path allocates: the upload bytes and the pixels held in JS.
 */
import { describe, expect, it } from 'vitest';
import { lastCodecMemoryBytes } from './codecs.ts';
import { MAX_BODY_BYTES, MAX_PNG16_PIXELS, MAX_PNG_PIXELS, WORKER_IMAGE_BUDGET_BYTES } from './constants.ts';
import { ImageError, prepareImage } from './index.ts';
import { pngHeaderOnly, writePng } from './test-fixtures.ts';

const MiB = 2 ** 20;

/** Scanlines whose first `noisy` bytes are white noise (deflate cannot shrink them) and the rest zero. */
function noiseRows(length: number, noisy: number): Uint8Array {
  const rows = new Uint8Array(length);
  let s = 12345;
  for (let i = 0; i < noisy; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    rows[i] = s >>> 24;
  }
  return rows;
}

/** The largest width x height of aspect 3:2 within `pixels`. */
function atCap(pixels: number): { width: number; height: number } {
  const height = Math.floor(Math.sqrt((pixels * 2) / 3));
  return { width: Math.floor(pixels / height), height };
}

/** A PNG at the cap, all noise up to the body cap: the largest file its pixels can make that is still accepted. */
async function worstPng(pixels: number, colorType: 2 | 6, bitDepth: 8 | 16): Promise<Uint8Array> {
  const { width, height } = atCap(pixels);
  const length = width * height * (colorType === 2 ? 3 : 4) * (bitDepth / 8);
  // Stored deflate blocks add ~0.03 %, the PNG/zlib framing a few bytes: leave 64 KiB for them.
  const png = await writePng({ width, height, colorType, bitDepth, rows: noiseRows(length, Math.min(length, MAX_BODY_BYTES - 64 * 1024)) });
  expect(png.byteLength).toBeLessThanOrEqual(MAX_BODY_BYTES);
  expect(png.byteLength).toBeGreaterThan(Math.min(length, MAX_BODY_BYTES - MiB));
  return png;
}

/**
 * The worst PNGs: 8-bit RGB makes the codec hold the most per pixel (the decoded rows, then the RGBA expansion;
 * palette images cost the same per pixel but compress far better, RGBA and grey less), measured at 8 MP: RGB 90
 * MiB of wasm with a 19.9 MiB file, palette 78 (7.6 MiB file), RGBA 52 (19.9 MiB), grey 47 (7.6 MiB).
 */
describe('memory peak of the worst upload each PNG cap admits', () => {
  const cases = [
    { name: '8-bit RGB (the codec expands it to RGBA in a second buffer)', pixels: MAX_PNG_PIXELS, colorType: 2, bitDepth: 8, jsPixelBytes: 0 },
    { name: '16-bit RGBA', pixels: MAX_PNG16_PIXELS, colorType: 6, bitDepth: 16, jsPixelBytes: 4 },
  ] as const;
  for (const c of cases) {
    it(`${c.name} at ${c.pixels / 1e6} MP with its worst file stays under the budget`, async () => {
      const png = await worstPng(c.pixels, c.colorType, c.bitDepth);
      const prepared = await prepareImage(png, 'image/png');
      expect(prepared.width * prepared.height).toBeLessThanOrEqual(c.pixels);
      const wasm = lastCodecMemoryBytes().png;
      // JS: the upload bytes, the RGBA when it is copied out of wasm (16-bit only), the resize's row buffer and crop.
      const js = png.byteLength + c.jsPixelBytes * prepared.width * prepared.height + 2 * prepared.crop.byteLength;
      console.log(`PNG ${c.name}, ${prepared.width}x${prepared.height}, file ${(png.byteLength / MiB).toFixed(1)} MiB: wasm ${(wasm / MiB).toFixed(1)} MiB + JS <= ${(js / MiB).toFixed(1)} MiB = ${((wasm + js) / MiB).toFixed(1)} MiB of the ${WORKER_IMAGE_BUDGET_BYTES / MiB} MiB budget`);
      // The codec holds the file and at least the RGBA: a smaller figure would mean it was not measured.
      expect(wasm).toBeGreaterThan(png.byteLength + 4 * prepared.width * prepared.height);
      expect(wasm + js).toBeLessThanOrEqual(WORKER_IMAGE_BUDGET_BYTES);
    }, 120_000);
  }

  it('a PNG one row over its cap is refused from the header with a 413 that names the cap', async () => {
    const over8 = pngHeaderOnly(3000, 2001);
    const over16 = pngHeaderOnly(2500, 1001);
    over16[24] = 16; // IHDR bit depth; the cap is checked before the chunk's CRC ever is
    for (const [png, limit] of [[over8, '6 megapixel limit for PNGs'], [over16, '2.5 megapixel limit for 16-bit PNGs']] as const) {
      const error = await prepareImage(png, 'image/png').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageError);
      expect([(error as ImageError).status, (error as ImageError).code]).toEqual([413, 'image_too_large']);
      expect((error as ImageError).message).toContain(limit);
    }
  });
});
