/**
 * Every zoo stand-in against onnxruntime (the oracle): it loads, gives the zoo's output name and shape, finite
 * values and a top-5 that means something and follows the input. The on-demand giants join with ZOO_ALL=1
 * (test/helpers/zoo.ts). Engine-vs-onnxruntime comparisons live in test/e2e/zoo.test.ts.
 */
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { CATALOG, findStandIn, paramsOf } from './catalog.ts';
import { DEFAULT_SEED } from './stand-in.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { expectMeaningfulTop5, opCounts, probabilities, top5, zooInput, zooUnderTest } from '../test/helpers/zoo.ts';

const { onnx } = onnxProto;

/**
 * Parameter counts the frameworks publish (torchvision's summaries, BVLC's AlexNet), plus the two BatchNorm
 * running statistics per channel that ONNX files store as initializers (ResNet-18: 4,800 BN channels; ResNet-50:
 * 26,560, summed over its layers by hand).
 */
const PUBLISHED_PARAMS: Record<string, number> = {
  'resnet18-v1': 11_689_512 + 2 * 4_800,
  'resnet50-v1': 25_557_032 + 2 * 26_560,
  vgg16: 138_357_544,
  vgg19: 143_667_240,
  alexnet: 60_965_224,
};

describe('zoo catalog', () => {
  it('has one entry per topology of the zoo issue, each with its own name and file', () => {
    expect(CATALOG).toHaveLength(29);
    expect(new Set(CATALOG.map((e) => e.spec.name)).size).toBe(CATALOG.length);
    expect(new Set(CATALOG.map((e) => e.spec.file)).size).toBe(CATALOG.length);
    expect(findStandIn('resnet50-v1-7.onnx')?.spec.name).toBe('resnet50-v1');
    expect(findStandIn('nope')).toBeUndefined();
  });

  it.each(Object.entries(PUBLISHED_PARAMS))('%s has the published parameter count', (name, params) => {
    expect(paramsOf(findStandIn(name)!)).toBe(params);
  });

  it('builds the same bytes from the same seed and different ones from another', () => {
    const entry = findStandIn('shufflenet-v2')!;
    const a = entry.build().bytes;
    expect(Buffer.from(entry.build({ seed: DEFAULT_SEED }).bytes).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(entry.build({ seed: DEFAULT_SEED + 1 }).bytes).equals(Buffer.from(a))).toBe(false);
  });

  it('counts ops in count-only builds exactly as in the written model', () => {
    const entry = findStandIn('mobilenetv2')!;
    expect(entry.build({ countOnly: true }).stats.ops).toEqual(opCounts(entry.build().bytes));
  });
});

describe.each(zooUnderTest().map((e) => [e.spec.name, e] as const))('%s stand-in', (_name, entry) => {
  const { spec } = entry;

  it('runs in onnxruntime with the zoo output, finite values and a meaningful top-5 that follows the input', async () => {
    const bytes = entry.build().bytes;
    const m = onnx.ModelProto.decode(bytes);
    expect(m.opsetImport.map((o) => Number(o.version))).toEqual([spec.opset]);
    expect(m.metadataProps.find((p) => p.key === 'stand_in')?.value).toBe('true');
    const rankings = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const out = await runOrt(bytes, { [spec.input.name]: zooInput(spec, seed) });
      expect(Object.keys(out)).toEqual([spec.output.name]);
      expect(out[spec.output.name].dims).toEqual(spec.output.dims.map((d) => (typeof d === 'number' ? d : 1)));
      const probs = probabilities(spec, out[spec.output.name].data);
      expectMeaningfulTop5(probs);
      rankings.add(top5(probs).join(','));
    }
    // Random weights may favour some classes for all noise, but a top-5 that ignores the input would hide engine bugs.
    expect(rankings.size).toBeGreaterThan(1);
  });
});
