/**
 * The memory a deployed Worker counts (JS heap + wasm memories) while it prepares the worst file each format's caps let
 * through: as many pixels as the cap allows and a body of up to 20 MiB of incompressible data, decoded by the
 * service's own path (prepareImage). Wasm memory is exact (the codec instance's memory.buffer.byteLength at the
 * end of the decode, its high-water mark since wasm memory never shrinks). workerd exposes no JS heap figure
 * (process.memoryUsage() reads all zeros, performance.measureUserAgentSpecificMemory is absent), so the JS side
 * is bounded by the sizes of the buffers the request path allocates: the upload bytes and the pixels held in JS.
 */
import { describe, expect, it } from 'vitest';
import { lastCodecMemoryBytes } from './codecs.ts';
import { MAX_AVIF_BYTES, MAX_AVIF_PIXELS, MAX_BODY_BYTES, MAX_GIF_PIXELS, MAX_PNG16_PIXELS, MAX_PNG_PIXELS, MAX_WEBP_PIXELS, WORKER_IMAGE_BUDGET_BYTES } from './constants.ts';
import { ImageError, prepareImage } from './index.ts';
import { encodeAvif, encodeGif, encodeWebp, pngHeaderOnly, writePng, type Rgba } from './test-fixtures.ts';

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

/** Logs and asserts one worst case: wasm (exact) + JS (bounded by the request's buffers) within the budget. */
function expectWithinBudget(label: string, file: Uint8Array, prepared: { width: number; height: number; crop: Uint8Array }, wasm: number): void {
  const pixels = prepared.width * prepared.height;
  // JS: the upload bytes, the RGBA the codec copies out of wasm (ImageData), the resize's row buffer and crop.
  const js = file.byteLength + 4 * pixels + 2 * prepared.crop.byteLength;
  console.log(`${label}, ${prepared.width}x${prepared.height}, file ${(file.byteLength / MiB).toFixed(2)} MiB: wasm ${(wasm / MiB).toFixed(1)} MiB + JS <= ${(js / MiB).toFixed(1)} MiB = ${((wasm + js) / MiB).toFixed(1)} MiB of the ${WORKER_IMAGE_BUDGET_BYTES / MiB} MiB budget`);
  expect(wasm).toBeGreaterThan(file.byteLength + 4 * pixels);
  expect(wasm + js).toBeLessThanOrEqual(WORKER_IMAGE_BUDGET_BYTES);
}

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

/**
 * An AVIF at the pixel cap, smooth except for a band of rows of white noise, encoded losslessly and grown until
 * the file is just under the byte cap: libaom's memory grows with the pixels (most at 12 bits, 4:4:4, with
 * alpha) and with the coded data (lossless noise codes the most per pixel, 8-bit 4:2:0 costing the most wasm per
 * byte of file).
 */
async function worstAvif(bitDepth: 8 | 12, subsample: 1 | 3, alpha: boolean, quality: number): Promise<Uint8Array> {
  const { width, height } = atCap(MAX_AVIF_PIXELS);
  const max = 2 ** bitDepth - 1;
  const image = (noiseRows: number): Rgba => {
    const data = bitDepth === 8 ? new Uint8ClampedArray(width * height * 4) : new Uint16Array(width * height * 4);
    let s = 12345;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        for (let c = 0; c < 3; c++) {
          s = (Math.imul(s, 1103515245) + 12345) >>> 0;
          data[i + c] = y < noiseRows ? (s >>> 8) & max : Math.round((max * (x * (c + 1) + y * (3 - c))) / (4 * (width + height)));
        }
        data[i + 3] = alpha ? Math.round(max * (0.5 + 0.5 * Math.sin((x + y) / 20))) : max;
      }
    }
    return { width, height, data: data as Uint8ClampedArray };
  };
  const options = { quality, bitDepth, subsample };
  // Each encode's size scales the band for the next; a few rounds land within 15 % under the cap.
  let rows = Math.round(height / 8);
  for (let round = 0; round < 6; round++) {
    const avif = await encodeAvif(image(rows), options);
    if (avif.byteLength <= MAX_AVIF_BYTES && avif.byteLength > 0.85 * MAX_AVIF_BYTES) return avif;
    rows = Math.min(height, Math.max(1, Math.floor((rows * 0.95 * MAX_AVIF_BYTES) / avif.byteLength)));
  }
  throw new Error('no AVIF within 15 % under the byte cap');
}

describe('memory peak of the worst upload the AVIF caps admit', () => {
  const cases = [
    { name: '12-bit 4:4:4 with alpha (the most wasm per pixel)', bitDepth: 12, subsample: 3, alpha: true, quality: 90 },
    { name: '8-bit 4:2:0 (the most wasm per byte of file)', bitDepth: 8, subsample: 1, alpha: false, quality: 100 },
  ] as const;
  for (const c of cases) {
    it(`${c.name} at ${MAX_AVIF_PIXELS / 1e6} MP and just under ${MAX_AVIF_BYTES / MiB} MiB stays under the budget`, async () => {
      const avif = await worstAvif(c.bitDepth, c.subsample, c.alpha, c.quality);
      const prepared = await prepareImage(avif, 'image/avif');
      expect(prepared.width * prepared.height).toBeLessThanOrEqual(MAX_AVIF_PIXELS);
      expectWithinBudget(`AVIF ${c.name}`, avif, prepared, lastCodecMemoryBytes().avif);
    }, 120_000);
  }

  it('an AVIF over either cap is refused with a 413 that names the cap', async () => {
    const { width, height } = atCap(MAX_AVIF_PIXELS);
    const flat = (w: number, h: number): Rgba => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(200) });
    const overPixels = await encodeAvif(flat(width + 2, height));
    // A small AVIF made larger than the byte cap by a `free` box (ISO-BMFF padding the decoder skips).
    const small = await encodeAvif(flat(64, 64));
    const pad = MAX_AVIF_BYTES - small.byteLength + 1;
    const overBytes = new Uint8Array(small.byteLength + pad);
    overBytes.set(small);
    new DataView(overBytes.buffer).setUint32(small.byteLength, pad);
    overBytes.set([0x66, 0x72, 0x65, 0x65], small.byteLength + 4);
    for (const [avif, limit] of [[overPixels, `${MAX_AVIF_PIXELS / 1e6} megapixel limit for AVIFs`], [overBytes, `${MAX_AVIF_BYTES / MiB} MiB limit for AVIF files`]] as const) {
      const error = await prepareImage(avif, 'image/avif').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageError);
      expect([(error as ImageError).status, (error as ImageError).code]).toEqual([413, 'image_too_large']);
      expect((error as ImageError).message).toContain(limit);
    }
  });
});

/** RGBA whose first `noiseRows` rows are white noise (alpha too if `noisyAlpha`) and the rest a smooth gradient. */
function bandedNoise(width: number, height: number, noiseRows: number, noisyAlpha = false): Rgba {
  const data = new Uint8ClampedArray(width * height * 4);
  let s = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        data[i + c] = y < noiseRows ? s >>> 24 : (x * (c + 1) + y * (3 - c)) >> 4;
      }
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      data[i + 3] = noisyAlpha && y < noiseRows ? s >>> 24 : 255;
    }
  }
  return { width, height, data };
}

describe('memory peak of the worst upload the WebP cap admits', () => {
  // Lossless noise is the largest file (up to the body cap) and libwebp's lossless decoder holds the file, its
  // ARGB and the RGBA output at once; lossy at quality 100 holds YUV planes and the RGBA.
  const cases = [
    { name: 'lossless, all noise with alpha', options: { lossless: 1, method: 0, quality: 0 }, noise: 1, alpha: true },
    { name: 'lossy q100, all noise', options: { quality: 100, method: 0 }, noise: 1, alpha: false },
  ];
  for (const c of cases) {
    it(`${c.name} at ${MAX_WEBP_PIXELS / 1e6} MP stays under the budget`, async () => {
      const { width, height } = atCap(MAX_WEBP_PIXELS);
      const webp = await encodeWebp(bandedNoise(width, height, Math.round(height * c.noise), c.alpha), c.options);
      expect(webp.byteLength).toBeLessThanOrEqual(MAX_BODY_BYTES);
      const prepared = await prepareImage(webp, 'image/webp');
      expectWithinBudget(`WebP ${c.name}`, webp, prepared, lastCodecMemoryBytes().webp);
    }, 300_000);
  }
});

describe('memory peak of the worst upload the GIF cap admits', () => {
  it(`a ${MAX_GIF_PIXELS / 1e6} MP all-noise GIF stays under the budget (omggif decodes in JS: bounded by its buffers)`, async () => {
    const { width, height } = atCap(MAX_GIF_PIXELS);
    const palette = Array.from({ length: 256 * 3 }, (_, i) => (i * 37) & 255);
    const gif = encodeGif(width, height, palette, noiseRows(width * height, width * height));
    const prepared = await prepareImage(gif, 'image/gif');
    const pixels = prepared.width * prepared.height;
    expect(pixels).toBeLessThanOrEqual(MAX_GIF_PIXELS);
    // No wasm: the upload (at most the body cap), omggif's index stream (1 byte a pixel), the RGBA canvas (4),
    // the resize's row buffer and crop.
    const js = MAX_BODY_BYTES + 5 * pixels + 2 * prepared.crop.byteLength;
    console.log(`GIF ${prepared.width}x${prepared.height}, file ${(gif.byteLength / MiB).toFixed(1)} MiB: JS <= ${(js / MiB).toFixed(1)} MiB of the ${WORKER_IMAGE_BUDGET_BYTES / MiB} MiB budget`);
    expect(js).toBeLessThanOrEqual(WORKER_IMAGE_BUDGET_BYTES);
  }, 120_000);

  it('a WebP or GIF over its cap is refused from the header with a 413 that names the cap', async () => {
    const webp = await encodeWebp(bandedNoise(1, 1, 0));
    // VP8 lossy key frame: 14-bit width and height at bytes 26 and 28 of the file.
    const { width, height } = atCap(MAX_WEBP_PIXELS);
    new DataView(webp.buffer, webp.byteOffset).setUint16(26, width + 2, true);
    new DataView(webp.buffer, webp.byteOffset).setUint16(28, height, true);
    const gif = encodeGif(1, 1, [0, 0, 0, 255, 255, 255], new Uint8Array(1));
    const gifSize = atCap(MAX_GIF_PIXELS);
    new DataView(gif.buffer, gif.byteOffset).setUint16(6, gifSize.width + 2, true);
    new DataView(gif.buffer, gif.byteOffset).setUint16(8, gifSize.height, true);
    for (const [bytes, type, limit] of [[webp, 'image/webp', `${MAX_WEBP_PIXELS / 1e6} megapixel limit for WebPs`], [gif, 'image/gif', `${MAX_GIF_PIXELS / 1e6} megapixel limit for GIFs`]] as const) {
      const error = await prepareImage(bytes, type).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageError);
      expect([(error as ImageError).status, (error as ImageError).code]).toEqual([413, 'image_too_large']);
      expect((error as ImageError).message).toContain(limit);
    }
  });
});
