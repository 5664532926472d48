/**
 * @module What every zoo stand-in declares (name, zoo file, exporter, opset, input and output) and the one
 * function that turns a family's layer code into a marked, seeded ONNX model.
 */
import { ModelBuilder, type Dim } from './onnx-builder.ts';
import { NetWriter, type NetStats, type Value } from './net-writer.ts';

export const DEFAULT_SEED = 20240229;

export interface StandInSpec {
  /** Short name for `model:generate -- <name>` and `bench -- --model <name>`, e.g. `resnet50-v1`. */
  name: string;
  /** The zoo file it stands in for; also the generated file's name. */
  file: string;
  /** Where the real file lives and what wrote it. */
  source: string;
  opset: number;
  irVersion: number;
  producer: string;
  graphName: string;
  input: { name: string; dims: readonly Dim[]; layout: 'NCHW' | 'NHWC' };
  output: { name: string; dims: readonly Dim[]; kind: 'logits' | 'probabilities' };
  /** IR version 3 exporters listed every initializer among the graph inputs too. */
  weightsAsInputs?: boolean;
}

export interface BuiltModel {
  /** Empty when built with `countOnly`. */
  bytes: Uint8Array;
  stats: NetStats;
}

export interface BuildOptions {
  seed?: number;
  countOnly?: boolean;
}

/** Symbolic dims (the batch) as 1. */
const batchOne = (dims: readonly Dim[]): number[] => dims.map((d) => (typeof d === 'number' ? d : 1));

/** The graph body: gets the writer and the input value (its declared dims, batch 1), returns the output value. */
export type Body = (w: NetWriter, input: Value) => Value;

export function buildStandIn(spec: StandInSpec, body: Body, options: BuildOptions = {}): BuiltModel {
  const seed = options.seed ?? DEFAULT_SEED;
  const b = new ModelBuilder({
    opset: spec.opset,
    irVersion: spec.irVersion,
    producerName: `webgpu-classifier stand-in (${spec.producer} layout)`,
    graphName: spec.graphName,
    docString: `Stand-in for the ONNX model zoo's ${spec.file} (${spec.source}): same topology, opset and tensor names, seeded random weights (seed ${seed}). Its predictions mean nothing.`,
  });
  b.metadata('stand_in', 'true');
  b.metadata('stand_in_of', `onnx/models ${spec.file}`);
  b.metadata('seed', String(seed));
  b.input(spec.input.name, spec.input.dims);
  const w = new NetWriter(b, seed, { weightsAsInputs: spec.weightsAsInputs, countOnly: options.countOnly });
  const out = body(w, { name: spec.input.name, dims: batchOne(spec.input.dims) });
  const want = batchOne(spec.output.dims);
  if (out.dims.join() !== want.join()) throw new Error(`${spec.name}: the graph ends in [${out.dims}], the zoo's output is [${want}]`);
  if (out.name !== spec.output.name) throw new Error(`${spec.name}: the graph ends in ${out.name}, the zoo's output is ${spec.output.name}`);
  b.output(spec.output.name, spec.output.dims);
  return { bytes: options.countOnly ? new Uint8Array() : b.toBytes(), stats: w.stats };
}

/** Gluon's (MXNet) names: one counter per layer kind under a prefix, e.g. `resnetv17_stage2_conv3`. */
export class GluonNames {
  private readonly counts = new Map<string, number>();

  constructor(readonly prefix: string) {}

  next(kind: string): string {
    const i = this.counts.get(kind) ?? 0;
    this.counts.set(kind, i + 1);
    return `${this.prefix}${kind}${i}`;
  }
}
