/**
 * Both generated SqueezeNets end to end on the real WebGPU adapter: every output within the SPEC tolerance of
 * onnxruntime (the oracle) and the same top-5 classes.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { InferenceSession } from '../../engine/index.ts';
import { maxAbsDiff, withinTolerance } from '../../engine-cli/tolerance.ts';
import { SQUEEZENET10_PATH, SQUEEZENET11_PATH } from '../../models/paths.ts';
import { getTestDevice } from '../helpers/device.ts';
import { runOrt } from '../helpers/ort.ts';
import { randomFloat32 } from '../helpers/random.ts';

function top5(v: Float32Array): number[] {
  return [...v.keys()].sort((a, b) => v[b] - v[a]).slice(0, 5);
}

const MODELS = [
  { name: 'SqueezeNet 1.1 (opset 7, logits)', path: SQUEEZENET11_PATH, input: 'data', dispatchesAtMost: 30 },
  { name: 'SqueezeNet 1.0 (opset 9, softmax)', path: SQUEEZENET10_PATH, input: 'data_0', dispatchesAtMost: 32 },
];

describe.each(MODELS)('$name', ({ path, input, dispatchesAtMost }) => {
  let bytes: Uint8Array;
  let session: InferenceSession;
  beforeAll(async () => {
    bytes = new Uint8Array(await readFile(path));
    session = await InferenceSession.create((await getTestDevice()).device, bytes);
    return () => session.dispose();
  });

  it.each([1, 2, 3])('should match onnxruntime on random input (seed %i)', async (seed) => {
    const x = randomFloat32(3 * 224 * 224, seed, 2);
    const ours = await session.run({ [input]: x });
    const want = await runOrt(bytes, { [input]: { data: x, dims: [1, 3, 224, 224] } });
    const name = session.outputs[0].name;
    expect(ours[name].dims).toEqual(want[name].dims);
    const diff = maxAbsDiff(ours[name].data, want[name].data);
    expect(withinTolerance(ours[name].data, want[name].data), `max abs diff ${diff}`).toBe(true);
    expect(top5(ours[name].data)).toEqual(top5(want[name].data));
  });

  it('should give each image of a batch the answer it gets alone', async () => {
    const images = [4, 5, 6].map((seed) => randomFloat32(3 * 224 * 224, seed, 2));
    const batched = await InferenceSession.create((await getTestDevice()).device, bytes, { inputShapes: { [input]: [3, 3, 224, 224] } });
    try {
      const joined = new Float32Array(images.length * images[0].length);
      images.forEach((x, i) => joined.set(x, i * x.length));
      const name = session.outputs[0].name;
      const out = (await batched.run({ [input]: joined }))[name];
      expect(out.dims[0]).toBe(3);
      const per = out.data.length / 3;
      for (const [i, x] of images.entries()) {
        const alone = (await session.run({ [input]: x }))[name].data;
        expect(withinTolerance(out.data.slice(i * per, (i + 1) * per), alone)).toBe(true);
      }
    } finally {
      batched.dispose();
    }
  });

  it('should give the same answers with the kernel variants chosen for hardware GPUs', async () => {
    // No GPU here: `software: false` makes llvmpipe run the workgroup-memory variants real GPUs get.
    const hardware = await InferenceSession.create((await getTestDevice()).device, bytes, { software: false });
    try {
      const x = randomFloat32(3 * 224 * 224, 7, 2);
      const name = session.outputs[0].name;
      const got = (await hardware.run({ [input]: x }))[name].data;
      const want = await runOrt(bytes, { [input]: { data: x, dims: [1, 3, 224, 224] } });
      expect(withinTolerance(got, want[name].data), `max abs diff ${maxAbsDiff(got, want[name].data)}`).toBe(true);
      expect(Object.keys(hardware.stats.kernels)).toContain('conv2d_1x1_shared');
    } finally {
      hardware.dispose();
    }
  });

  it('should fuse, alias and write concats in place', () => {
    expect(session.stats.dispatches).toBeLessThanOrEqual(dispatchesAtMost);
    expect(session.stats.peakActivationBytes).toBeLessThan(session.stats.totalActivationBytes);
  });
});
