/**
 * @module `onnx run <model.onnx> <input.pb>... -o <dir>`: one inference, outputs written as
 * `output_<i>.pb` in graph output order (the ONNX backend-test layout, so the files diff against one).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceSession } from '../engine/session.ts';
import { parseModel } from '../engine/onnx/parse.ts';
import { InvalidInputError } from '../engine/errors.ts';
import type { CliDevice } from './device.ts';
import { readInputTensor, writeFloatTensor } from './tensor-io.ts';

export interface RunArgs {
  model: string;
  inputs: string[];
  outDir: string;
}

/** Runs the model and returns the paths written. */
export async function runModel(args: RunArgs, openDevice: () => Promise<CliDevice>, log: (line: string) => void): Promise<string[]> {
  const bytes = new Uint8Array(await readFile(args.model));
  // Parse first (no GPU) so input-count and type problems are reported before a device is opened.
  const graph = parseModel(bytes);
  if (args.inputs.length !== graph.inputs.length) {
    throw new InvalidInputError(`the model has ${graph.inputs.length} input(s) (${graph.inputs.map((i) => i.name).join(', ')}); ${args.inputs.length} .pb file(s) given`);
  }
  const tensors = await Promise.all(graph.inputs.map((input, k) => readInputTensor(args.inputs[k], `input "${input.name}"`, input.dataType)));
  const inputShapes = Object.fromEntries(graph.inputs.map((input, k) => [input.name, tensors[k].dims]));
  const feeds = Object.fromEntries(graph.inputs.map((input, k) => [input.name, tensors[k].data]));

  const { device, software } = await openDevice();
  const session = await InferenceSession.create(device, bytes, { inputShapes, software, warmup: false });
  try {
    const result = await session.run(feeds);
    await mkdir(args.outDir, { recursive: true });
    const written: string[] = [];
    for (const [k, out] of session.outputs.entries()) {
      const path = join(args.outDir, `output_${k}.pb`);
      const t = result[out.name];
      await writeFloatTensor(path, out.name, t.dims, t.data);
      log(`${path}: ${out.name} [${t.dims.join(', ')}]`);
      written.push(path);
    }
    return written;
  } finally {
    session.dispose();
  }
}
