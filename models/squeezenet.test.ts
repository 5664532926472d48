import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { DEFAULT_SEED, buildSqueezeNet10, buildSqueezeNet11, squeezeNetStats } from './squeezenet.ts';
import { SQUEEZENET10_PATH, SQUEEZENET11_PATH } from './paths.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { randomFloat32 } from '../test/helpers/random.ts';
import { expectMeaningfulTop5, opCounts, softmax, top5 } from '../test/helpers/zoo.ts';

const { onnx } = onnxProto;

const input = (seed: number) => ({ data: randomFloat32(3 * 224 * 224, seed, 1.7), dims: [1, 3, 224, 224] });

const cases = [
  { name: 'SqueezeNet 1.1', path: SQUEEZENET11_PATH, build: buildSqueezeNet11, input: 'data', output: 'squeezenet0_flatten0_reshape0', dims: [1, 1000], version: '1.1' as const,
    ops: { Conv: 26, Relu: 26, MaxPool: 3, Concat: 8, Dropout: 1, AveragePool: 1, Reshape: 1 }, opset: 7, params: 1_235_496 },
  { name: 'SqueezeNet 1.0', path: SQUEEZENET10_PATH, build: buildSqueezeNet10, input: 'data_0', output: 'softmaxout_1', dims: [1, 1000, 1, 1], version: '1.0' as const,
    ops: { Conv: 26, Relu: 26, MaxPool: 3, Concat: 8, Dropout: 1, GlobalAveragePool: 1, Softmax: 1 }, opset: 9, params: 1_248_424 },
];

describe.each(cases)('$name stand-in', (c) => {
  it('on disk (from the global setup) equals a fresh build with the default seed', async () => {
    expect(Buffer.from(await readFile(c.path)).equals(Buffer.from(c.build(DEFAULT_SEED)))).toBe(true);
  });

  it('has the zoo topology and marks itself a stand-in', () => {
    const bytes = c.build(DEFAULT_SEED);
    expect(opCounts(bytes)).toEqual(c.ops);
    const m = onnx.ModelProto.decode(bytes);
    expect(m.opsetImport.map((o) => Number(o.version))).toEqual([c.opset]);
    expect(m.metadataProps.find((p) => p.key === 'stand_in')?.value).toBe('true');
    expect(m.docString).toMatch(/seeded random/);
    expect(squeezeNetStats(c.version).params).toBe(c.params); // torchvision's count for this version
  });

  it('is deterministic in its seed', () => {
    const a = c.build(DEFAULT_SEED);
    expect(Buffer.from(c.build(DEFAULT_SEED)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(c.build(DEFAULT_SEED + 1)).equals(Buffer.from(a))).toBe(false);
  });

  it('runs in onnxruntime with a 1x1000 output whose top-5 is meaningful and follows the input', async () => {
    const bytes = new Uint8Array(await readFile(c.path));
    const rankings = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const out = await runOrt(bytes, { [c.input]: input(seed) });
      expect(Object.keys(out)).toEqual([c.output]);
      expect(out[c.output].dims).toEqual(c.dims);
      const probs = c.version === '1.0' ? Float64Array.from(out[c.output].data) : softmax(out[c.output].data);
      expectMeaningfulTop5(probs);
      rankings.add(top5(probs).join(','));
    }
    // Random weights may favour one class for all noise, but a top-5 that ignores the input would hide engine bugs.
    expect(rankings.size).toBeGreaterThan(1);
  });
});
