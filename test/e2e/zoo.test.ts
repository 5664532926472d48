/**
 * The zoo stand-ins on our engine, as it is today, on the real WebGPU adapter: each model either runs and matches
 * onnxruntime (the CLI's tolerance, the same top-5), or is refused at load with exactly the ops that have no
 * kernel, or (VGG) with the tensor that is over the adapter's binding limit. Phase 2 of issue 13 moves models
 * from REFUSED_OPS / OVER_BINDING_LIMIT to RUNS as ops and split bindings land. The on-demand giants run with
 * ZOO_ALL=1 (test/helpers/zoo.ts), except VGG-16, the binding-limit case, which always runs; so do ResNet-34 and
 * ResNet-50 v2, which add no code path to the ResNets that always run.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession, LimitExceededError, UnsupportedOpError } from '../../engine/index.ts';
import { withinTolerance, maxAbsDiff } from '../../engine-cli/tolerance.ts';
import { CATALOG, findStandIn, type CatalogEntry } from '../../models/catalog.ts';
import { getTestDevice } from '../helpers/device.ts';
import { runOrt } from '../helpers/ort.ts';
import { top5, zooInput, zooUnderTest } from '../helpers/zoo.ts';

/** Run and match onnxruntime today. */
const RUNS = [
  'squeezenet1.1', 'squeezenet1.0', 'densenet121', 'inception-v2', 'mobilenetv2',
  'resnet18-v1', 'resnet34-v1', 'resnet50-v1', 'resnet101-v1', 'resnet152-v1',
  'resnet18-v2', 'resnet34-v2', 'resnet50-v2', 'resnet101-v2', 'resnet152-v2',
];

/** Refused at load with UnsupportedOpError naming exactly these op types. */
const REFUSED_OPS: Record<string, string[]> = {
  'shufflenet-v1': ['Sum', 'Transpose'],
  'shufflenet-v2': ['ReduceMean', 'Split', 'Transpose'],
  'mnasnet1.0': ['ReduceMean'],
  'efficientnet-lite4': ['ReduceMean', 'Transpose'],
  googlenet: ['LRN'],
  'inception-v1': ['LRN'],
  alexnet: ['LRN'],
  caffenet: ['LRN'],
  'rcnn-ilsvrc13': ['LRN'],
  zfnet512: ['LRN'],
};

/** fc6's weight, 4096 x 25088 floats, bound whole by the Gemm kernel; the error names the weight. */
const FC6_BYTES = 4096 * 25088 * 4;
const OVER_BINDING_LIMIT: Record<string, { label: string; bytes: number }> = {
  vgg16: { label: 'vgg0_dense0_weight', bytes: FC6_BYTES },
  'vgg16-bn': { label: 'vgg0_dense0_weight', bytes: FC6_BYTES },
  vgg19: { label: 'vgg0_dense0_weight', bytes: FC6_BYTES },
  'vgg19-bn': { label: 'vgg0_dense0_weight', bytes: FC6_BYTES },
};

/** Same block code as ResNet-18 v1/v2 and ResNet-50 v1, which always run; ZOO_ALL=1 runs them too. */
const REPEATS = process.env.ZOO_ALL === '1' ? [] : ['resnet34-v1', 'resnet34-v2', 'resnet50-v2'];
const underTest = new Set(zooUnderTest().map((e) => e.spec.name).filter((n) => !REPEATS.includes(n))).add('vgg16');
const cases = (names: Iterable<string>) => [...names].filter((n) => underTest.has(n)).map((n) => [n, findStandIn(n)!] as const);

async function expectMatchesOrt(entry: CatalogEntry, bytes: Uint8Array): Promise<void> {
  const { spec } = entry;
  const session = await InferenceSession.create((await getTestDevice()).device, bytes, { warmup: false });
  try {
    const x = zooInput(spec, 1);
    const got = (await session.run({ [spec.input.name]: x.data }))[spec.output.name];
    const want = (await runOrt(bytes, { [spec.input.name]: x }))[spec.output.name];
    expect(got.dims).toEqual(want.dims);
    expect(withinTolerance(got.data, want.data), `max abs diff ${maxAbsDiff(got.data, want.data)}`).toBe(true);
    expect(top5(got.data)).toEqual(top5(want.data));
  } finally {
    session.dispose();
  }
}

describe('zoo stand-ins on the engine', () => {
  it('classifies every stand-in in exactly one table', () => {
    const tables = [...RUNS, ...Object.keys(REFUSED_OPS), ...Object.keys(OVER_BINDING_LIMIT)];
    expect(tables.toSorted()).toEqual(CATALOG.map((e) => e.spec.name).toSorted());
  });

  it.each(cases(RUNS))('%s runs and matches onnxruntime with the same top-5', async (_name, entry) => {
    await expectMatchesOrt(entry, entry.build().bytes);
  });

  it.each(cases(Object.keys(REFUSED_OPS)))('%s is refused at load naming exactly its missing ops', async (name, entry) => {
    const error = await InferenceSession.create((await getTestDevice()).device, entry.build().bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOpError);
    expect([...new Set((error as UnsupportedOpError).nodes.map((n) => n.opType))].sort()).toEqual(REFUSED_OPS[name]);
  });

  it.each(cases(Object.keys(OVER_BINDING_LIMIT)))('%s is refused for its fc6 weight where that is over the binding limit, else runs', async (name, entry) => {
    const { device } = await getTestDevice();
    const bytes = entry.build().bytes;
    const { label, bytes: weightBytes } = OVER_BINDING_LIMIT[name];
    if (weightBytes <= device.limits.maxStorageBufferBindingSize) return expectMatchesOrt(entry, bytes);
    const error = await InferenceSession.create(device, bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).message).toContain(label);
    expect((error as LimitExceededError).value).toBe(weightBytes);
  });
});
