/**
 * The zoo stand-ins on our engine, as it is today, on the real WebGPU adapter: each model either runs and matches
 * onnxruntime (the CLI's tolerance, the same top-5), or is refused at load with exactly the ops that have no
 * kernel. Phase 2 of issue 13 moves models from REFUSED_OPS to RUNS as ops land. The on-demand giants run with
 * ZOO_ALL=1 (test/helpers/zoo.ts), VGG-16 among them (33 s of CPU per run): test/ops/matrix.test.ts covers its fc6
 * weight's split over the binding limit with a Gemm just over it. So do ResNet-34 and ResNet-50 v2, which add no
 * code path to the ResNets that always run.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession, UnsupportedOpError } from '../../engine/index.ts';
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
  'mnasnet1.0', 'googlenet', 'inception-v1', 'shufflenet-v1', 'shufflenet-v2', 'efficientnet-lite4',
  // fc6's weight (VGG: 4096 x 25088 floats, 411 MB; the Caffe exports: 151 and 210 MB) is over llvmpipe's 128 MiB
  // binding limit: split into column blocks.
  'vgg16', 'vgg16-bn', 'vgg19', 'vgg19-bn', 'alexnet', 'caffenet', 'rcnn-ilsvrc13', 'zfnet512',
];

/** Refused at load with UnsupportedOpError naming exactly these op types (none today: every zoo classifier runs). */
const REFUSED_OPS: Record<string, string[]> = {};

/** Same block code as ResNet-18 v1/v2 and ResNet-50 v1, which always run; ZOO_ALL=1 runs them too. */
const REPEATS = process.env.ZOO_ALL === '1' ? [] : ['resnet34-v1', 'resnet34-v2', 'resnet50-v2'];
const underTest = new Set(zooUnderTest().map((e) => e.spec.name).filter((n) => !REPEATS.includes(n)));
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
    const tables = [...RUNS, ...Object.keys(REFUSED_OPS)];
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
});
