/** prepareImage end to end inside workerd: exact crop values, known resize/crop results, photo-sized JPEGs, and the refusals. */
import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE } from './constants.ts';
import { ImageError, normalize, prepareImage } from './index.ts';
import { keptJpegMemoryBytes } from './jpeg-decoder.ts';
import { KEEP_MEMORY_BYTES } from './wasm-instance.ts';
import { compositeOnWhite, resizeCrop, toModelInput } from './preprocess.ts';
import { encodeJpeg, encodePng, makeImage, pngHeaderOnly, withExifOrientation } from './test-fixtures.ts';

const PLANE = INPUT_SIZE * INPUT_SIZE;
const normalized = (v: number, c: number) => (v / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];

function channelStats(tensor: Float32Array, c: number): { min: number; max: number; mean: number } {
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = c * PLANE; i < (c + 1) * PLANE; i++) {
    min = Math.min(min, tensor[i]);
    max = Math.max(max, tensor[i]);
    sum += tensor[i];
  }
  return { min, max, mean: sum / PLANE };
}

async function errorOf(p: Promise<unknown>): Promise<ImageError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ImageError);
  return e as ImageError;
}

describe('prepareImage in workerd', () => {
  it('a solid colour gives exactly (v/255 - mean)/std in every element', async () => {
    const rgb = [200, 100, 30];
    const prepared = await prepareImage(await encodePng(makeImage(300, 257, () => rgb)), 'image/png');
    expect(prepared.crop.length).toBe(3 * PLANE);
    expect(prepared.crop.every((v, i) => v === rgb[i % 3])).toBe(true);
    expect([prepared.width, prepared.height, prepared.format]).toEqual([300, 257, 'png']);
    const tensor = normalize(prepared.crop);
    for (let c = 0; c < 3; c++) {
      const { min, max } = channelStats(tensor, c);
      expect(Math.abs(min - normalized(rgb[c], c))).toBeLessThan(1e-6);
      expect(Math.abs(max - normalized(rgb[c], c))).toBeLessThan(1e-6);
    }
  });

  it('alpha is composited on white', async () => {
    // Left half: black at alpha 128 -> 127; right half: fully transparent -> white.
    const png = await encodePng(makeImage(512, 256, (x) => (x < 256 ? [0, 0, 0, 128] : [10, 200, 30, 0])));
    const tensor = normalize((await prepareImage(png)).crop);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(tensor[c * PLANE + 100 * INPUT_SIZE + 10] - normalized(127, c))).toBeLessThan(1e-6);
      expect(Math.abs(tensor[c * PLANE + 100 * INPUT_SIZE + 210] - normalized(255, c))).toBeLessThan(1e-6);
    }
  });

  it('downscaling is antialiased with PIL bilinear weights, rounded to 8 bits (hand-computed edge)', () => {
    // 512x512, black left half, white right half, halved: the triangle filter widens to support 2, so the two
    // columns next to the edge mix 4 inputs with weights 1/8, 3/8, 3/8, 1/8: 255/8 = 31.875 -> 32, 223.125 -> 223.
    const rgba = makeImage(512, 512, (x) => (x < 256 ? [0, 0, 0] : [255, 255, 255])).data;
    const crop = resizeCrop({ width: 512, height: 512, channels: 4, data: compositeOnWhite(rgba, 512, 512) }, { resize: 256, crop: 256 });
    const at = (x: number) => crop[(100 * 256 + x) * 3];
    expect([at(126), at(127), at(128), at(129)]).toEqual([0, 32, 223, 255]);
  });

  it('a horizontal ramp gives the hand-computed channel means after resize and crop', () => {
    // 256x200: R = x, G = 255 - x, B = y. Resized to 327x256 (int(256*256/200)), cropped from x = 52 (Python
    // round(51.5) = 52) and y = 16. Bilinear interpolation is exact on a linear ramp away from the borders, so
    // each output pixel holds the ramp at its source coordinate (x' + 0.5) * 256/327 - 0.5; the crop's mean
    // column is x' = 163.5, i.e. R = 164 * 256/327 - 0.5 = 127.8914..., and B = 128 * 200/256 - 0.5 = 99.5.
    // Each pass rounds to 8 bits, so the means may move by up to one level.
    const rgba = makeImage(256, 200, (x, y) => [x, 255 - x, y]).data;
    const tensor = normalize(resizeCrop({ width: 256, height: 200, channels: 4, data: compositeOnWhite(rgba, 256, 200) }));
    const r = (164 * 256) / 327 - 0.5;
    const want = [r, 255 - r, 99.5];
    for (let c = 0; c < 3; c++) expect(Math.abs(channelStats(tensor, c).mean - normalized(want[c], c))).toBeLessThan(1 / 255 / IMAGENET_STD[c]);
  });

  it('normalize: NCHW and NHWC with a model\'s mean, std and scale', () => {
    const crop = new Uint8Array([10, 20, 30, 40, 50, 60]);
    const spec = { mean: [1, 2, 3] as const, std: [2, 4, 8] as const, scale: 0.5 };
    expect(Array.from(normalize(crop, { ...spec, layout: 'NCHW' }))).toEqual([2, 9.5, 2, 5.75, 1.5, 3.375]);
    expect(Array.from(normalize(crop, { ...spec, layout: 'NHWC' }))).toEqual([2, 2, 1.5, 9.5, 5.75, 3.375]);
  });

  it('a 20000x100 strip stays cheap: only the crop is resampled', () => {
    const strip = makeImage(20000, 100, (x) => [x & 255, 0, 0]);
    expect(toModelInput(strip.data, 20000, 100).length).toBe(3 * PLANE);
  });

  it('a 12 MP baseline and a progressive phone photo: scaled decode, memory released, EXIF 6 rotates the crop', async () => {
    // Written directly: makeImage's per-pixel callback takes seconds at 12 MP.
    const photo = { width: 4032, height: 3024, data: new Uint8ClampedArray(4032 * 3024 * 4) };
    for (let y = 0, i = 0; y < 3024; y++) {
      for (let x = 0; x < 4032; x++, i += 4) {
        photo.data[i] = (x >> 4) + (y >> 5);
        photo.data[i + 1] = (y >> 3) ^ (x >> 6);
        photo.data[i + 2] = (x * y) >> 10;
        photo.data[i + 3] = 255;
      }
    }
    for (const progressive of [false, true]) {
      const jpeg = await encodeJpeg(photo, { quality: 85, baseline: !progressive, progressive });
      const prepared = await prepareImage(jpeg, 'image/jpeg');
      console.log(`12 MP ${progressive ? 'progressive' : 'baseline'} (${(jpeg.length / 1e6).toFixed(1)} MB): decode ${prepared.timings.decode.toFixed(1)} ms, preprocess ${prepared.timings.preprocess.toFixed(1)} ms, kept wasm ${keptJpegMemoryBytes() / 2 ** 20} MiB`);
      expect([prepared.width, prepared.height]).toEqual([4032, 3024]);
      // The progressive decode grows the instance past KEEP_MEMORY_BYTES (36 MB of coefficients): it is dropped.
      expect(keptJpegMemoryBytes()).toBeLessThanOrEqual(KEEP_MEMORY_BYTES);
      // Portrait by EXIF: the same pixels rotated, so the crop is the rotated crop of the landscape one.
      const rotated = await prepareImage(withExifOrientation(jpeg, 6), 'image/jpeg');
      expect([rotated.width, rotated.height]).toEqual([3024, 4032]);
      expect(rotated.crop).not.toEqual(prepared.crop);
    }
  }, 120_000);

  it('refuses a 100000x100000 PNG header with 413 before decoding', async () => {
    const bomb = pngHeaderOnly(100_000, 100_000);
    expect(bomb.length).toBeLessThan(100);
    const e = await errorOf(prepareImage(bomb, 'image/png'));
    expect([e.status, e.code]).toEqual([413, 'image_too_large']);
    expect(e.message).toMatch(/100000x100000/);
  });

  it('refuses a JPEG whose frame header declares 60000x60000 with 413', async () => {
    const jpeg = await encodeJpeg(makeImage(8, 8, () => [1, 2, 3]), { baseline: true, progressive: false });
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    jpeg.set([60000 >> 8, 60000 & 255, 60000 >> 8, 60000 & 255], sof + 5);
    expect((await errorOf(prepareImage(jpeg))).code).toBe('image_too_large');
  });

  it('bytes declared as, or starting like, one of our formats are 400; a CMYK JPEG too', async () => {
    for (const [bytes, type] of [[new TextEncoder().encode('hello world'), 'image/png'], [new Uint8Array([0xff, 0xd8]), undefined], [new Uint8Array([0x89, 0x50, 0x4e]), 'application/octet-stream']] as const) {
      const e = await errorOf(prepareImage(bytes, type));
      expect([e.status, e.code]).toEqual([400, 'undecodable_image']);
    }
  });

  it('SVG, HEIC, BMP and unknown bytes are 415; an empty body is 400', async () => {
    const svg = new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    const heic = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1heic'), 0, 0, 0, 0]);
    const bmp = new Uint8Array(64).fill(0);
    bmp.set([0x42, 0x4d]);
    for (const [bytes, name] of [[svg, 'SVG'], [heic, 'HEIC'], [bmp, 'BMP']] as const) {
      const e = await errorOf(prepareImage(bytes, 'image/x-whatever'));
      expect([e.status, e.code]).toEqual([415, 'unsupported_media_type']);
      expect(e.message).toContain(name);
    }
    expect((await errorOf(prepareImage(new TextEncoder().encode('hello world')))).status).toBe(415);
    const empty = await errorOf(prepareImage(new Uint8Array()));
    expect([empty.status, empty.code]).toEqual([400, 'empty_body']);
  });

  it('decodes and preprocesses a 500x375 JPEG (timings)', async () => {
    const jpeg = await encodeJpeg(makeImage(500, 375, (x, y) => [(x * 7) & 255, (y * 5) & 255, ((x + y) * 3) & 255]));
    await prepareImage(jpeg); // instantiate the codec first
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push((await prepareImage(jpeg)).timings);
    console.log('500x375 JPEG in workerd:', runs.map((t) => `decode ${t.decode} ms, preprocess ${t.preprocess} ms`).join('; '));
  });
});
