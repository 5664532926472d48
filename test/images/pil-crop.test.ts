/**
 * The front door's JPEG path against real PIL (Debian's python3-pil, the libjpeg-turbo it links is the one our
 * wasm is built from): for generated photos, PIL's draft-mode decode + Resize(256, bilinear) + CenterCrop(224)
 * (with ImageOps.exif_transpose for EXIF photos) must give the same uint8 crop, byte for byte. And the scaled
 * decode against the full-resolution path (mozjpeg full decode + float resize, test/helpers/reference-preprocess):
 * tensor within a stated tolerance and the same top-1 from onnxruntime on the stand-in SqueezeNet.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalize, prepareImage } from '../../images/index.ts';
import { SQUEEZENET11_PATH } from '../../models/paths.ts';
import { runOrt } from '../helpers/ort.ts';
import { referenceTensor } from '../helpers/reference-preprocess.ts';

/** Debian's interpreter, where python3-pil lives (a pyenv python3 earlier on PATH has no PIL). */
const PYTHON = '/usr/bin/python3';

/**
 * Stated bounds for the DCT-scaled path against the full-resolution one, in normalised units (1 level of 255 is
 * ~0.017): DCT scaling and the triangle filter treat the noise differently pixel by pixel (max ~0.09 measured on
 * this photo), while the average stays at rounding level.
 */
const SCALED_MAX = 0.15;
const SCALED_MEAN = 0.02;

const dir = mkdtempSync(path.join(tmpdir(), 'pil-crop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** name -> [width, height, PIL save options, EXIF orientation]: sizes around the draft scale boundaries. */
const PHOTOS: Record<string, [number, number, string, number]> = {
  '12mp-baseline': [4032, 3024, 'quality=90', 1],
  '12mp-progressive': [4032, 3024, 'quality=90, progressive=True', 1],
  'portrait-exif6-444': [4000, 3000, 'quality=95, subsampling=0', 6],
  'exif3-2047': [2047, 1365, 'quality=85', 3],
  'exif8-odd': [1531, 2049, 'quality=80, progressive=True', 8],
  'grey': [1024, 768, 'quality=90', 1],
  'small': [500, 375, 'quality=90', 1],
};

const SCRIPT = `
import sys
from PIL import Image, ImageOps
out = sys.argv[1]
for spec in sys.argv[2:]:
    name, w, h, opts, orientation = spec.split('|')
    w, h, orientation = int(w), int(h), int(orientation)
    # Photo-like: gradients, a radial falloff and noise, so every DCT band carries something.
    im = Image.merge('RGB', [Image.linear_gradient('L').resize((w, h)), Image.radial_gradient('L').resize((w, h)), Image.effect_noise((w, h), 40)])
    if name == 'grey':
        im = im.convert('L')
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    im.save(f'{out}/{name}.jpg', exif=exif.tobytes(), **eval(f'dict({opts})'))
    im = Image.open(f'{out}/{name}.jpg')
    im.draft('RGB', (256, 256))
    im = ImageOps.exif_transpose(im).convert('RGB')
    W, H = im.size
    size = (256, int(256 * H / W)) if W <= H else (int(256 * W / H), 256)
    im = im.resize(size, Image.BILINEAR)
    left, top = int(round((size[0] - 224) / 2)), int(round((size[1] - 224) / 2))
    open(f'{out}/{name}.crop', 'wb').write(im.crop((left, top, left + 224, top + 224)).tobytes())
`;

describe('JPEG crops against PIL (draft mode)', () => {
  it('PIL is there (Debian python3-pil)', () => {
    expect(execFileSync(PYTHON, ['-c', 'import PIL; print(PIL.__version__)'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\./);
  });

  it.each(Object.keys(PHOTOS))('%s: the same uint8 crop as PIL, byte for byte', async (name) => {
    const [w, h, opts, orientation] = PHOTOS[name];
    execFileSync(PYTHON, ['-c', SCRIPT, dir, `${name}|${w}|${h}|${opts}|${orientation}`]);
    const bytes = new Uint8Array(readFileSync(path.join(dir, `${name}.jpg`)));
    const want = new Uint8Array(readFileSync(path.join(dir, `${name}.crop`)));
    const ours = await prepareImage(bytes, 'image/jpeg');
    const upright = orientation >= 5 ? [h, w] : [w, h];
    expect([ours.width, ours.height]).toEqual(upright);
    let differing = 0;
    for (let i = 0; i < want.length; i++) if (want[i] !== ours.crop[i]) differing++;
    console.log(`${name} ${w}x${h} (${(bytes.length / 1e6).toFixed(2)} MB): decode ${ours.timings.decode.toFixed(1)} ms, preprocess ${ours.timings.preprocess.toFixed(1)} ms, ${differing} bytes differ from PIL`);
    expect(ours.crop.length).toBe(224 * 224 * 3);
    expect(differing).toBe(0);
  }, 60_000);

  it('the DCT-scaled path agrees with the full-resolution path: tensor within the bound, same top-1', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(dir, '12mp-baseline.jpg')));
    const scaled = normalize((await prepareImage(bytes)).crop);
    const full = await referenceTensor(bytes);
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < full.length; i++) {
      worst = Math.max(worst, Math.abs(full[i] - scaled[i]));
      sum += Math.abs(full[i] - scaled[i]);
    }
    const mean = sum / full.length;
    console.log(`12 MP: scaled vs full-resolution abs diff max ${worst.toFixed(4)} (bound ${SCALED_MAX}), mean ${mean.toFixed(4)} (bound ${SCALED_MEAN})`);
    expect(worst).toBeLessThan(SCALED_MAX);
    expect(mean).toBeLessThan(SCALED_MEAN);
    const model = new Uint8Array(await readFile(SQUEEZENET11_PATH));
    const top1 = async (data: Float32Array) => {
      const scores = Object.values(await runOrt(model, { data: { data, dims: [1, 3, 224, 224] } }))[0].data;
      return scores.indexOf(Math.max(...scores));
    };
    expect(await top1(scaled)).toBe(await top1(full));
  }, 120_000);
});
