/**
 * @module Which model the bench runs: `--model FILE` or `--model NAME` (a zoo stand-in, generated on demand), else
 * the real SqueezeNet 1.1 a user fetched into local R2, else the seeded stand-in. The result says which, because
 * stand-in timings match the real model's (same ops and shapes) but its scores mean nothing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseModel } from '../engine/onnx/parse.ts';
import { modelInfo } from '../engine/model-info.ts';
import { KERNELS } from '../engine/index.ts';
import { ensureGeneratedModels } from '../models/generate.ts';
import { CATALOG, findStandIn, writeStandIn } from '../models/catalog.ts';
import { readProjectConfig } from '../scripts/project-config.ts';
import { getLocalObject } from '../scripts/local-r2.ts';

export interface BenchModel {
  bytes: Uint8Array;
  /** Human-readable origin, printed and written to latest.json. */
  description: string;
  inputName: string;
  /** Input dims with symbolic dims pinned to 1 (batch 1). */
  inputDims: number[];
  outputName: string;
  /** True for the seeded stand-in (metadata `stand_in`). */
  standIn: boolean;
  /** Multiply-accumulates of one batch-1 inference (Conv, Gemm, MatMul), for GMAC/s. */
  macs: number;
}

function describe(bytes: Uint8Array, origin: string): BenchModel {
  const graph = parseModel(bytes);
  const input = graph.inputs[0];
  const output = graph.outputs[0];
  if (!input || !output) throw new Error(`${origin}: the model has no graph input or output`);
  const inputDims = input.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const standIn = graph.metadata.get('stand_in') === 'true';
  // A stand-in's own count is exact; modelInfo stops counting at the first op whose shapes it cannot infer.
  // `stand_in_of` is `onnx/models <zoo file>`.
  const entry = standIn ? findStandIn((graph.metadata.get('stand_in_of') ?? '').split(' ').at(-1) ?? '') : undefined;
  const macs = entry ? entry.build({ countOnly: true }).stats.macs : modelInfo(graph, KERNELS, { inputShapes: { [input.name]: inputDims } }).macs;
  return { bytes, description: `${origin}${standIn ? ' (seeded stand-in: random weights)' : ''}`, inputName: input.name, inputDims, outputName: output.name, standIn, macs };
}

/** The real model from local R2, when one is stored there and is not the stand-in `npm start` may have put. */
async function fromLocalR2(): Promise<BenchModel | undefined> {
  try {
    const config = readProjectConfig();
    const bytes = await getLocalObject(config.bucket, config.modelKey);
    if (!bytes) return undefined;
    const model = describe(bytes, `local R2 ${config.bucket}/${config.modelKey}`);
    return model.standIn ? undefined : model;
  } catch {
    return undefined;
  }
}

/** A file path, else a stand-in's name or zoo file name (written to models/generated/ if missing or stale). */
async function modelPath(arg: string): Promise<string> {
  if (existsSync(arg)) return arg;
  const entry = findStandIn(arg);
  if (!entry) throw new Error(`--model ${arg}: no such file and no stand-in of that name (one of: ${CATALOG.map((e) => e.spec.name).join(', ')})`);
  return writeStandIn(entry);
}

export async function resolveModel(arg: string | undefined): Promise<BenchModel> {
  if (arg) {
    const path = await modelPath(arg);
    return describe(new Uint8Array(await readFile(path)), path);
  }
  const real = await fromLocalR2();
  if (real) return real;
  const generated = await ensureGeneratedModels();
  return describe(new Uint8Array(await readFile(generated.squeezenet11)), 'models/generated/squeezenet1.1-7.onnx');
}
