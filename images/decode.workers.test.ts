/** Every codec inside real workerd, on fixtures encoded in the test itself. */
import { describe, expect, it } from 'vitest';
import { keptCodecMemoryBytes } from './codecs.ts';
import { decodeImage, type DecodedImage } from './decode.ts';
import { KEEP_MEMORY_BYTES } from './wasm-instance.ts';
import { resizeCrop } from './preprocess.ts';
import { ImageError } from './errors.ts';
import { detectImageFormat, type ImageFormat } from './sniff.ts';
import { encodeAvif, encodeGif, encodeJpeg, encodePng, encodeWebp, makeImage, withExifOrientation, writePng, type Rgba } from './test-fixtures.ts';

/** Max abs difference of every pixel from one RGBA colour. */
function maxDiff(image: Rgba, rgba: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < image.data.length; i++) worst = Math.max(worst, Math.abs(image.data[i] - rgba[i % 4]));
  return worst;
}

function pixel(image: Rgba, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(i, i + 4));
}

const ORANGE = [230, 120, 40, 255];
const solid = makeImage(48, 32, () => ORANGE);

/** The decoded pixels as RGBA: the whole image for RGBA codecs, the region libjpeg kept for JPEG (alpha 255). */
function rgbaOf(decoded: DecodedImage): Rgba {
  const { source } = decoded;
  if (source.channels === 4) return { width: source.width, height: source.height, data: source.data as Uint8ClampedArray };
  const region = source.region ?? { left: 0, top: 0, width: source.width, height: source.height };
  const data = new Uint8ClampedArray(region.width * region.height * 4);
  for (let i = 0; i < region.width * region.height; i++) data.set([...source.data.subarray(i * 3, i * 3 + 3), 255], i * 4);
  return { width: region.width, height: region.height, data };
}

async function decodeTimed(bytes: Uint8Array): Promise<Rgba> {
  const format = detectImageFormat(bytes) as ImageFormat;
  const t = performance.now();
  const image = await decodeImage(bytes, format);
  console.log(`${format} ${image.width}x${image.height} decode ${(performance.now() - t).toFixed(2)} ms`);
  return rgbaOf(image);
}

/** The upright uint8 crop of a square image at its own size (identity resize): every pixel, oriented. */
async function uprightSquare(bytes: Uint8Array, side: number): Promise<Rgba> {
  const crop = resizeCrop((await decodeImage(bytes, 'jpeg', { resize: side, crop: side })).source, { resize: side, crop: side });
  return rgbaOf({ width: side, height: side, warnings: [], source: { width: side, height: side, channels: 3, data: crop } });
}

async function expectImageError(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ImageError);
  expect((e as ImageError).code).toBe(code);
}

describe('decodeImage in workerd', () => {
  it('JPEG baseline and progressive', async () => {
    for (const progressive of [false, true]) {
      const bytes = await encodeJpeg(solid, { baseline: !progressive, progressive });
      const image = await decodeTimed(bytes);
      const decoded = await decodeImage(bytes, 'jpeg');
      expect([decoded.width, decoded.height]).toEqual([48, 32]);
      expect(maxDiff(image, ORANGE)).toBeLessThanOrEqual(3);
    }
  });

  it('greyscale JPEG decodes to RGB with equal channels', async () => {
    const bytes = await encodeJpeg(makeImage(16, 16, () => [100, 100, 100]), { color_space: 1 });
    const image = await decodeTimed(bytes);
    expect(maxDiff(image, [100, 100, 100, 255])).toBeLessThanOrEqual(2);
  });

  it('a CMYK JPEG is refused with a clear 400', async () => {
    const bytes = await encodeJpeg(solid, { baseline: true, progressive: false });
    // Patch the SOF0 component count to 4: the header check must refuse it before the codec runs.
    const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
    bytes[sof + 9] = 4;
    const e = await decodeImage(bytes, 'jpeg').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ImageError);
    expect([(e as ImageError).status, (e as ImageError).code]).toEqual([400, 'undecodable_image']);
    expect((e as ImageError).message).toMatch(/CMYK/);
  });

  it('PNG 8-bit RGBA (encoder) keeps exact pixels and alpha', async () => {
    const image = await decodeTimed(await encodePng(makeImage(20, 10, (x) => (x < 10 ? [255, 0, 0, 255] : [0, 0, 255, 128]))));
    expect(pixel(image, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 19, 9)).toEqual([0, 0, 255, 128]);
  });

  it('PNG 16-bit RGB, palette with tRNS, grey and grey+alpha (hand-written)', async () => {
    const rows16 = new Uint8Array(4 * 2 * 6);
    for (let i = 0; i < 8; i++) rows16.set([0x12, 0x34, 0x80, 0x00, 0xff, 0xff], i * 6);
    const rgb16 = await decodeTimed(await writePng({ width: 4, height: 2, colorType: 2, bitDepth: 16, rows: rows16 }));
    expect(pixel(rgb16, 3, 1)).toEqual([Math.round(0x1234 / 257), Math.round(0x8000 / 257), 255, 255]);

    const palette = await decodeTimed(await writePng({
      width: 2, height: 2, colorType: 3, bitDepth: 8, rows: new Uint8Array([0, 1, 1, 0]),
      palette: new Uint8Array([10, 20, 30, 200, 100, 50]), trns: new Uint8Array([255, 0]),
    }));
    expect(pixel(palette, 0, 0)).toEqual([10, 20, 30, 255]);
    expect(pixel(palette, 1, 0)).toEqual([200, 100, 50, 0]);

    const grey = await decodeTimed(await writePng({ width: 3, height: 1, colorType: 0, bitDepth: 8, rows: new Uint8Array([0, 128, 255]) }));
    expect(pixel(grey, 1, 0)).toEqual([128, 128, 128, 255]);

    const greyAlpha = await decodeTimed(await writePng({ width: 1, height: 1, colorType: 4, bitDepth: 8, rows: new Uint8Array([77, 99]) }));
    expect(pixel(greyAlpha, 0, 0)).toEqual([77, 77, 77, 99]);
  });

  it('WebP lossy and lossless', async () => {
    const lossy = await decodeTimed(await encodeWebp(solid));
    expect(maxDiff(lossy, ORANGE)).toBeLessThanOrEqual(4);
    const lossless = await decodeTimed(await encodeWebp(solid, { lossless: 1 }));
    expect(maxDiff(lossless, ORANGE)).toBe(0);
  });

  it('AVIF', async () => {
    const image = await decodeTimed(await encodeAvif(solid));
    expect([image.width, image.height]).toEqual([48, 32]);
    expect(maxDiff(image, ORANGE)).toBeLessThanOrEqual(4);
  });

  it('GIF first frame, transparent index as alpha 0', async () => {
    const indices = new Uint8Array(8 * 4).map((_, i) => (i % 8 < 4 ? 0 : 1));
    const image = await decodeTimed(encodeGif(8, 4, [255, 0, 0, 0, 255, 0], indices, 1));
    expect(pixel(image, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 7, 3)[3]).toBe(0);
  });

  it('EXIF orientations 1..8 put the red quadrant where expected (applied by addressing)', async () => {
    // 32x32, red top-left quadrant, blue top-right, the rest white.
    const jpeg = await encodeJpeg(makeImage(32, 32, (x, y) => (y < 16 ? (x < 16 ? [255, 0, 0] : [0, 0, 255]) : [255, 255, 255])), { baseline: true, progressive: false });
    // Where the red and blue quadrants' centres land (as fractions of the side) after each orientation.
    const red: Record<number, [number, number]> = {
      1: [0.25, 0.25], 2: [0.75, 0.25], 3: [0.75, 0.75], 4: [0.25, 0.75],
      5: [0.25, 0.25], 6: [0.75, 0.25], 7: [0.75, 0.75], 8: [0.25, 0.75],
    };
    const blue: Record<number, [number, number]> = {
      1: [0.75, 0.25], 2: [0.25, 0.25], 3: [0.25, 0.75], 4: [0.75, 0.75],
      5: [0.25, 0.75], 6: [0.75, 0.75], 7: [0.75, 0.25], 8: [0.25, 0.25],
    };
    for (let o = 1; o <= 8; o++) {
      const image = await uprightSquare(withExifOrientation(jpeg, o), 32);
      const at = ([fx, fy]: [number, number]) => pixel(image, Math.floor(fx * 32), Math.floor(fy * 32));
      expect(at(red[o])[0], `orientation ${o} red`).toBeGreaterThan(200);
      expect(at(red[o])[2], `orientation ${o} red`).toBeLessThan(60);
      expect(at(blue[o])[2], `orientation ${o} blue`).toBeGreaterThan(200);
      expect(at(blue[o])[0], `orientation ${o} blue`).toBeLessThan(60);
    }
  });

  describe('truncated or corrupt input is an error, never a half image', () => {
    const cut = (b: Uint8Array, keep: number) => b.slice(0, Math.floor(b.length * keep));
    const noisy = makeImage(64, 64, (x, y) => [(x * 37 + y * 11) & 255, (x * y) & 255, (x ^ y) * 4]);

    it('JPEG (baseline and progressive) cut at 60%', async () => {
      for (const progressive of [false, true]) {
        const bytes = await encodeJpeg(noisy, { baseline: !progressive, progressive });
        await expectImageError(decodeImage(cut(bytes, 0.6), 'jpeg'), 'truncated_image');
        // Missing only the final EOI marker still counts: the last scan may be incomplete.
        await expectImageError(decodeImage(bytes.slice(0, bytes.length - 2), 'jpeg'), 'truncated_image');
      }
    });

    it('PNG, WebP, AVIF and GIF cut at 60%', async () => {
      await expectImageError(decodeImage(cut(await encodePng(noisy), 0.6), 'png'), 'truncated_image');
      await expectImageError(decodeImage(cut(await encodeWebp(noisy), 0.6), 'webp'), 'truncated_image');
      await expectImageError(decodeImage(cut(await encodeAvif(noisy), 0.6), 'avif'), 'truncated_image');
      const gif = encodeGif(64, 64, [0, 0, 0, 255, 255, 255], new Uint8Array(64 * 64).map((_, i) => (i * 7) % 2));
      await expectImageError(decodeImage(cut(gif, 0.6), 'gif'), 'truncated_image');
    });

    it('a JPEG missing the middle of its scan (EOI intact) is undecodable, not grey-filled', async () => {
      const jpeg = await encodeJpeg(makeImage(256, 256, (x, y) => [(x * 37 + y * 11) & 255, (x * y) & 255, (x ^ y) & 255]), { baseline: true, progressive: false });
      const sos = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xda);
      const cutFrom = sos + Math.floor((jpeg.length - sos) * 0.3);
      const cutTo = sos + Math.floor((jpeg.length - sos) * 0.7);
      const spliced = new Uint8Array([...jpeg.subarray(0, cutFrom), ...jpeg.subarray(cutTo)]);
      await expectImageError(decodeImage(spliced, 'jpeg'), 'undecodable_image');
    });

    it('garbage after a valid signature is undecodable', async () => {
      const garbage = (sig: number[]) => new Uint8Array([...sig, ...new Uint8Array(200).map((_, i) => (i * 73) & 255)]);
      await expectImageError(decodeImage(garbage([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'png'), 'truncated_image');
      const jpeg = await encodeJpeg(noisy, { baseline: true, progressive: false });
      // Corrupt the Huffman tables but keep the marker structure: the codec must refuse it.
      const dht = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc4);
      const broken = jpeg.slice();
      broken.fill(0xee, dht + 5, dht + 21);
      const result = await decodeImage(broken, 'jpeg').then(() => 'decoded', (e: unknown) => (e instanceof ImageError ? e.code : String(e)));
      expect(result).toBe('undecodable_image');
    });

    it('the codec still works after a failed decode', async () => {
      const bytes = await encodeJpeg(solid);
      const image = rgbaOf(await decodeImage(bytes, 'jpeg'));
      expect(maxDiff(image, ORANGE)).toBeLessThanOrEqual(3);
    });
  });

  it('a codec instance that a large image grew is released; one a small image used is kept', async () => {
    // 2400x2000: the 19.2 MB of RGBA alone takes each codec's wasm memory past KEEP_MEMORY_BYTES.
    const large = { width: 2400, height: 2000, data: new Uint8ClampedArray(2400 * 2000 * 4) };
    for (let i = 0; i < large.data.length; i++) large.data[i] = (i * 7) % 251;
    const encoders = { png: encodePng, webp: encodeWebp, avif: encodeAvif } as const;
    for (const format of ['png', 'webp', 'avif'] as const) {
      await decodeImage(await encoders[format](solid), format);
      const small = (await keptCodecMemoryBytes())[format];
      expect(small).toBeGreaterThan(0);
      expect(small).toBeLessThanOrEqual(KEEP_MEMORY_BYTES);
      const decoded = await decodeImage(await encoders[format](large), format);
      expect([decoded.width, decoded.height]).toEqual([2400, 2000]);
      // The pixels were copied out: they stay readable after the instance is gone.
      expect(decoded.source.data.length).toBe(2400 * 2000 * 4);
      expect((await keptCodecMemoryBytes())[format]).toBe(0);
      console.log(`${format}: kept wasm memory ${(small / 2 ** 20).toFixed(1)} MiB after a 48x32 decode, 0 after a 2400x2000 one`);
    }
  }, 120_000);
});
