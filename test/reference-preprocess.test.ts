/**
 * The Node reference preprocessing (test/helpers/reference-preprocess.ts) against the service's images/
 * pipeline: same tensor within a small tolerance on synthetic RGBA of awkward sizes, and end to end from file
 * bytes (decode + EXIF orientation + preprocess) through prepareImage.
 */
import { describe, expect, it } from 'vitest';
import encodeJpegRaw, { init as initJpegEncRaw } from '@jsquash/jpeg/encode';
import encodePngRaw, { init as initPngEnc } from '@jsquash/png/encode';
import { prepareImage } from '../images/index.ts';
import { toModelInput } from '../images/preprocess.ts';
import { referenceDecode, referencePreprocess, referenceTensor, wasm, type ReferenceImage } from './helpers/reference-preprocess.ts';

/** The agreed bound; the measured figure is logged. */
const TOLERANCE = 0.02;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Smooth gradients plus deterministic noise and a translucent band: exercises filtering and compositing. */
function synthetic(width: number, height: number, seed: number): ReferenceImage {
  const data = new Uint8ClampedArray(width * height * 4);
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (255 * x) / width + 40 * rand();
      data[i + 1] = 128 + 100 * Math.sin(x / 7 + y / 13);
      data[i + 2] = (x * y) % 256;
      data[i + 3] = y > height / 3 && y < height / 2 ? 60 + 150 * rand() : 255;
    }
  }
  return { width, height, data };
}

describe('reference preprocessing agrees with images/', () => {
  it.each([
    [640, 480], [500, 375], [375, 500], [224, 224], [100, 80], [1000, 300], [257, 999], [3000, 2000],
  ])('%ix%i synthetic RGBA', (width, height) => {
    const image = synthetic(width, height, width * 31 + height);
    // toModelInput composites in place: give it a copy so the reference sees the original alpha.
    const diff = maxAbsDiff(toModelInput(image.data.slice(), width, height), referencePreprocess(image));
    console.log(`${width}x${height}: max abs diff ${diff.toExponential(3)}`);
    expect(diff).toBeLessThan(TOLERANCE);
  });

  it('from file bytes: JPEG with EXIF orientation 6 (mozjpeg rotates for the reference), PNG with alpha', async () => {
    await (initJpegEncRaw as unknown as (m: WebAssembly.Module) => Promise<void>)(await wasm('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'));
    await initPngEnc(await wasm('@jsquash/png/codec/pkg/squoosh_png_bg.wasm'));
    const picture = synthetic(400, 300, 7);
    for (let i = 3; i < picture.data.length; i += 4) picture.data[i] = 255;
    const jpeg = new Uint8Array(await (encodeJpegRaw as unknown as (i: ReferenceImage, o: object) => Promise<ArrayBuffer>)(picture, { quality: 90 }));
    const png = new Uint8Array(await (encodePngRaw as unknown as (i: ReferenceImage) => Promise<ArrayBuffer>)(synthetic(333, 444, 3)));

    for (const [name, bytes] of [['jpeg+exif6', withOrientation6(jpeg)], ['png', png]] as const) {
      const ours = await prepareImage(bytes);
      const reference = await referenceDecode(bytes);
      expect([ours.width, ours.height], name).toEqual([reference.width, reference.height]);
      const diff = maxAbsDiff(ours.tensor, await referenceTensor(bytes));
      console.log(`${name}: ${ours.width}x${ours.height}, max abs diff ${diff.toExponential(3)}`);
      expect(diff).toBeLessThan(TOLERANCE);
      // Opaque pixels skip the 8-bit composite rounding of images/: only float32 error remains.
      if (name === 'jpeg+exif6') expect(diff).toBeLessThan(1e-4);
    }
  });
});

/** APP1 EXIF with IFD0 Orientation = 6, inserted after SOI (big-endian TIFF, one SHORT entry). */
function withOrientation6(jpeg: Uint8Array): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, 0, payload.length + 2, ...payload];
  return new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}
