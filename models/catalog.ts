/**
 * @module Every zoo stand-in by name: what `model:generate`, `bench -- --model <name>` and the tests iterate
 * over. Models over ON_DEMAND_PARAMS are written only when asked for by name (or `--all`): VGG-19 alone is
 * 575 MB and takes seconds to build.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildOptions, BuiltModel, StandInSpec } from './stand-in.ts';
import { GENERATED_DIR } from './paths.ts';
import { writeIfChanged } from './write-if-changed.ts';
import { buildSqueezeNet, squeezeNetSpec } from './squeezenet.ts';
import { buildResNet, resnetSpec, type ResNetDepth } from './resnet.ts';
import { buildVgg, vggSpec, type VggDepth } from './vgg.ts';
import { alexNetSpec, buildAlexNet, type AlexNetVariant } from './alexnet.ts';
import { buildGoogLeNet, googLeNetSpec, type GoogLeNetVariant } from './googlenet.ts';
import { buildInceptionV2, inceptionV2Spec } from './inception-v2.ts';
import { buildDenseNet, denseNetSpec } from './densenet.ts';
import { buildMobileNetV2, mobileNetV2Spec } from './mobilenet.ts';
import { buildShuffleNet, shuffleNetSpec } from './shufflenet.ts';
import { buildMnasNet, mnasNetSpec } from './mnasnet.ts';
import { buildEfficientNetLite4, efficientNetLite4Spec } from './efficientnet.ts';

export interface CatalogEntry {
  spec: StandInSpec;
  build(options?: BuildOptions): BuiltModel;
}

/** Above this many parameters (about 160 MB) a stand-in is generated on demand only. */
export const ON_DEMAND_PARAMS = 40_000_000;

const resnets = ([1, 2] as const).flatMap((v) => ([18, 34, 50, 101, 152] as ResNetDepth[]).map((d): CatalogEntry => ({ spec: resnetSpec(v, d), build: (o) => buildResNet(v, d, o) })));
const vggs = ([16, 19] as VggDepth[]).flatMap((d) => [false, true].map((bn): CatalogEntry => ({ spec: vggSpec(d, bn), build: (o) => buildVgg(d, bn, o) })));
const alexNets = (['alexnet', 'caffenet', 'rcnn', 'zfnet512'] as AlexNetVariant[]).map((v): CatalogEntry => ({ spec: alexNetSpec(v), build: (o) => buildAlexNet(v, o) }));
const googLeNets = (['googlenet', 'inception-v1'] as GoogLeNetVariant[]).map((v): CatalogEntry => ({ spec: googLeNetSpec(v), build: (o) => buildGoogLeNet(v, o) }));

export const CATALOG: readonly CatalogEntry[] = [
  ...(['1.1', '1.0'] as const).map((v): CatalogEntry => ({ spec: squeezeNetSpec(v), build: (o) => buildSqueezeNet(v, o?.seed) })),
  { spec: mobileNetV2Spec, build: buildMobileNetV2 },
  { spec: shuffleNetSpec(1), build: (o) => buildShuffleNet(1, o) },
  { spec: shuffleNetSpec(2), build: (o) => buildShuffleNet(2, o) },
  { spec: mnasNetSpec, build: buildMnasNet },
  { spec: efficientNetLite4Spec, build: buildEfficientNetLite4 },
  { spec: denseNetSpec, build: buildDenseNet },
  ...googLeNets,
  { spec: inceptionV2Spec, build: buildInceptionV2 },
  ...resnets,
  ...alexNets,
  ...vggs,
];

/** An entry by short name (`resnet50-v1`) or zoo file name (`resnet50-v1-7.onnx`). */
export function findStandIn(name: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.spec.name === name || e.spec.file === name);
}

/** Parameter count without building any weights. */
export function paramsOf(entry: CatalogEntry): number {
  return entry.build({ countOnly: true }).stats.params;
}

export function generatedPath(entry: CatalogEntry): string {
  return join(GENERATED_DIR, entry.spec.file);
}

/** Builds the stand-in and writes it to models/generated/ when missing or different; returns its path. */
export async function writeStandIn(entry: CatalogEntry): Promise<string> {
  await mkdir(GENERATED_DIR, { recursive: true });
  const path = generatedPath(entry);
  await writeIfChanged(path, entry.build().bytes);
  return path;
}
