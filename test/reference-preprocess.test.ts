/**
 * The Node reference preprocessing (test/helpers/reference-preprocess.ts) against the service's images/
 * pipeline: same tensor within a small tolerance on synthetic RGBA of awkward sizes, and end to end from file
 * bytes (decode + EXIF orientation + preprocess) through prepareImage.
 */
import { describe, expect, it } from 'vitest';
import { maxAbsDiff as engineMaxAbsDiff } from '../engine-cli/tolerance.ts';
import { normalize, prepareImage } from '../images/index.ts';
import { toModelInput } from '../images/preprocess.ts';
import { encodeJpeg, encodePng, withExifOrientation } from '../images/test-fixtures.ts';
import { referenceDecode, referencePreprocess, referenceTensor, type ReferenceImage } from './helpers/reference-preprocess.ts';

/**
 * images/ rounds as PIL does for 8-bit images: the composite on white, then each resize pass, to whole levels
 * (at most half a level each); the reference stays in float. Three half levels over the smallest std (0.224),
 * in normalised units; opaque images skip the composite (two half levels). The measured figure is logged.
 */
const LEVEL = 1 / 255 / 0.224;
const TOLERANCE = 1.5 * LEVEL + 1e-5;
const OPAQUE_TOLERANCE = 1.0 * LEVEL + 1e-5;

/**
 * engine-cli/tolerance.ts's maxAbsDiff, after checking the lengths and that every value is finite: that one
 * counts NaN against NaN (and equal infinities) as 0, which here must fail as it always did.
 */
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  expect(a.every(Number.isFinite) && b.every(Number.isFinite), 'every value finite').toBe(true);
  return engineMaxAbsDiff(a, b);
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
    const picture = synthetic(400, 300, 7);
    for (let i = 3; i < picture.data.length; i += 4) picture.data[i] = 255;
    const jpeg = await encodeJpeg(picture, { quality: 90 });
    const png = await encodePng(synthetic(333, 444, 3));

    for (const [name, bytes] of [['jpeg+exif6', withExifOrientation(jpeg, 6)], ['png', png]] as const) {
      const ours = await prepareImage(bytes);
      const tensor = normalize(ours.crop);
      const reference = await referenceDecode(bytes);
      expect([ours.width, ours.height], name).toEqual([reference.width, reference.height]);
      const diff = maxAbsDiff(tensor, await referenceTensor(bytes));
      console.log(`${name}: ${ours.width}x${ours.height}, max abs diff ${diff.toExponential(3)}`);
      expect(diff).toBeLessThan(TOLERANCE);
      if (name === 'jpeg+exif6') expect(diff).toBeLessThan(OPAQUE_TOLERANCE);
    }
  });
});
