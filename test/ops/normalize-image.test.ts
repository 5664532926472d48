/**
 * NormalizeImage (the engine's own op) and withImageInput: a model fed an RGB crop of bytes computes what the
 * same model computes from the float tensor that images/normalize() makes on the CPU (today's path), checked
 * through onnxruntime on that float tensor. Odd crop sides put pixels across the 4-byte words the bytes are
 * packed in.
 */
import { describe, expect, it } from 'vitest';
import { DeviceModel, InferenceSession, prepareModel, withImageInput, type ImageInputSpec } from '../../engine/index.ts';
import { KERNELS } from '../../engine/ops/registry.ts';
import { ENGINE_DOMAIN, normalizeImage } from '../../engine/ops/normalize-image.ts';
import { normalize } from '../../images/index.ts';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { getTestDevice } from '../helpers/device.ts';
import { runOrt } from '../helpers/ort.ts';
import { randomFloat32 } from '../helpers/random.ts';
import { attr, expectClose } from './op-model.ts';

const IMAGENET: ImageInputSpec = { layout: 'NCHW', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], scale: 1 / 255 };
const CAFFE_NHWC: ImageInputSpec = { layout: 'NHWC', mean: [103.9, 116.8, 123.7], std: [1, 2, 4], scale: 1 };

/** Seeded bytes 0..255, both ends included. */
function crop(n: number, h: number, w: number, seed: number): Uint8Array {
  const bytes = Uint8Array.from(randomFloat32(n * h * w * 3, seed), (v) => Math.floor((v + 1) * 128) & 255);
  bytes[0] = 0;
  bytes[bytes.length - 1] = 255;
  return bytes;
}

/** images/normalize() per image (it takes one crop), stacked into the model's float input. */
function floatInput(bytes: Uint8Array, n: number, spec: ImageInputSpec): Float32Array {
  const per = bytes.length / n;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < n; i++) out.set(normalize(bytes.subarray(i * per, (i + 1) * per), spec), i * per);
  return out;
}

/** Runs `model` with its image input fed as bytes on our engine, and as normalize()'s floats on onnxruntime. */
async function expectSameAsFloatPath(model: Uint8Array, inputDims: number[], bytes: Uint8Array, spec: ImageInputSpec) {
  const want = await runOrt(model, { x: { data: floatInput(bytes, inputDims[0], spec), dims: inputDims } });
  const { device } = await getTestDevice();
  const onGpu = new DeviceModel(device, withImageInput(prepareModel(model), spec));
  try {
    const session = await InferenceSession.create(onGpu, { warmup: false });
    expect(session.inputs).toEqual([expect.objectContaining({ name: 'x:rgb8', type: 'uint8' })]);
    const got = await session.run({ 'x:rgb8': bytes });
    expect(got.y.dims).toEqual(want.y.dims);
    expectClose(got.y.data, want.y.data, 'y');
    return session.stats;
  } finally {
    onGpu.dispose();
  }
}

function scaleModel(dims: number[]): Uint8Array {
  return new ModelBuilder({ opset: 13 })
    .input('x', dims)
    .initializer('two', [1], Float32Array.of(2))
    .node('Mul', ['x', 'two'], ['y'])
    .output('y', dims)
    .toBytes();
}

describe('NormalizeImage', () => {
  it('is registered in engine/ops/registry.ts under its own domain, not as an ONNX op', () => {
    expect(KERNELS[`${ENGINE_DOMAIN}:NormalizeImage`]).toBe(normalizeImage);
    expect(Object.hasOwn(KERNELS, 'NormalizeImage')).toBe(false);
  });

  it('NCHW with ImageNet mean/std: a batch of two 5x7 crops (105 bytes each: pixels straddle words)', async () => {
    const stats = await expectSameAsFloatPath(scaleModel([2, 3, 5, 7]), [2, 3, 5, 7], crop(2, 5, 7, 1), IMAGENET);
    expect(stats.kernels).toMatchObject({ normalize_image: 1 });
    // One byte per channel on the wire, not four.
    expect(stats.uploadBytesPerRun).toBe(2 * 5 * 7 * 3);
  });

  it('NHWC with a Caffe-style scale of 1 and per-channel std', async () => {
    await expectSameAsFloatPath(scaleModel([1, 9, 11, 3]), [1, 9, 11, 3], crop(1, 9, 11, 2), CAFFE_NHWC);
  });

  it('feeds a Conv the same input as the float path', async () => {
    const model = new ModelBuilder({ opset: 13 })
      .input('x', [1, 3, 13, 13])
      .initializer('w', [4, 3, 3, 3], randomFloat32(4 * 27, 3))
      .node('Conv', ['x', 'w'], ['y'], { pads: attr.ints([1, 1, 1, 1]) })
      .output('y', [1, 4, 13, 13])
      .toBytes();
    await expectSameAsFloatPath(model, [1, 3, 13, 13], crop(1, 13, 13, 4), IMAGENET);
  });

  it('refuses a model whose input is not an RGB image in the given layout, naming it', () => {
    const gray = prepareModel(scaleModel([1, 1, 8, 8]));
    expect(() => withImageInput(gray, IMAGENET)).toThrow(/input is float32 \[1,1,8,8\].*3 channels at axis 1/);
    expect(() => withImageInput(gray, { ...IMAGENET, input: 'image' })).toThrow(/no input "image" \(inputs: x\)/);
  });
});
