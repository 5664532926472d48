/**
 * @module `onnx test <dir>...`: runs ONNX backend-test directories (`model.onnx` and `test_data_set_<k>` folders of
 * `input_<i>.pb` / `output_<i>.pb`) and prints one line per directory:
 *   PASS <name> max_abs=<largest |got - want| over every data set and output>
 *   FAIL <name> <reason of the first failing data set>
 * A directory with several data sets passes only when all of them pass (one line per directory, so the
 * counts are per test case, as in ONNX's own backend-test reports).
 * Every problem in one directory (missing files, unsupported op, mismatch, GPU error) becomes that
 * directory's FAIL line; the other directories still run, all on the one device.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InferenceSession } from '../engine/session.ts';
import { DeviceModel } from '../engine/device-model.ts';
import { prepareModel } from '../engine/prepare.ts';
import { UnsupportedOpError } from '../engine/errors.ts';
import type { CliDevice } from './device.ts';
import { readFloatTensor, readInputTensor, type FloatTensorFile } from './tensor-io.ts';
import { firstMismatch, maxAbsDiff } from './tolerance.ts';

export type CaseResult = { name: string; pass: true; maxAbs: number } | { name: string; pass: false; reason: string };

/** A failure that is the case's verdict, not a crash. */
class CaseFailure extends Error {}

/** Sorts `prefix<N>...` names by N so `input_10` follows `input_9`. */
function byIndex(prefix: string): (a: string, b: string) => number {
  const n = (s: string) => Number.parseInt(s.slice(prefix.length), 10);
  return (a, b) => n(a) - n(b) || a.localeCompare(b);
}

async function listMatching(dir: string, prefix: string, suffix: string, dirs: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.name.startsWith(prefix) && e.name.endsWith(suffix) && (dirs ? e.isDirectory() : e.isFile()))
    .map((e) => e.name)
    .sort(byIndex(prefix));
}

/** 3 significant digits; exponent form for small values so they read alike (3.58e-7, 1.48e-5, 0.5). */
export function formatMaxAbs(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return x < 1e-3 ? x.toExponential(2).replace(/\.?0+e/, 'e') : Number(x.toPrecision(3)).toString();
}

/** The FAIL reason for an error thrown while building or running a case. */
export function failureReason(e: unknown): string {
  if (e instanceof UnsupportedOpError) {
    const ops = new Set(e.nodes.map((n) => n.opType));
    return `unsupported op${ops.size > 1 ? 's' : ''} ${e.nodes.map((n) => `${n.domain ? `${n.domain}.` : ''}${n.opType} (node "${n.node}")`).join(', ')}`;
  }
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/\s*\n\s*/g, ' ');
}

function compare(set: string, outputName: string, got: { data: Float32Array; dims: number[] }, want: FloatTensorFile): number {
  if (got.dims.join(',') !== want.dims.join(',')) {
    throw new CaseFailure(`${set} output "${outputName}": shape [${got.dims.join(', ')}], expected [${want.dims.join(', ')}]`);
  }
  const maxAbs = maxAbsDiff(got.data, want.data);
  const i = firstMismatch(got.data, want.data);
  if (i >= 0) {
    throw new CaseFailure(`${set} output "${outputName}": max_abs=${formatMaxAbs(maxAbs)} out of tolerance (first at [${i}]: got ${got.data[i]}, want ${want.data[i]})`);
  }
  return maxAbs;
}

async function runCase(dir: string, device: CliDevice): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(dir, 'model.onnx')));
  } catch {
    throw new CaseFailure(`no readable model.onnx in ${dir}`);
  }
  const sets = await listMatching(dir, 'test_data_set_', '', true);
  if (sets.length === 0) throw new CaseFailure('no test_data_set_* directories');
  const model = new DeviceModel(device.device, prepareModel(bytes), { software: device.software });
  const graph = model.prepared;
  // Data sets may feed different shapes: one plan per distinct set of input shapes, all on the one DeviceModel.
  const sessions = new Map<string, InferenceSession>();
  let maxAbs = 0;
  try {
    for (const set of sets) {
      const setDir = join(dir, set);
      const inputFiles = await listMatching(setDir, 'input_', '.pb', false);
      const outputFiles = await listMatching(setDir, 'output_', '.pb', false);
      if (inputFiles.length !== graph.inputs.length) {
        throw new CaseFailure(`${set}: ${inputFiles.length} input_*.pb file(s), the model has ${graph.inputs.length} input(s)`);
      }
      const inputs = await Promise.all(graph.inputs.map((v, k) => readInputTensor(join(setDir, inputFiles[k]), `input "${v.name}"`, v.dataType)));
      const wants = await Promise.all(outputFiles.map((f, k) => readFloatTensor(join(setDir, f), `expected output ${k}`)));
      const inputShapes = Object.fromEntries(graph.inputs.map((v, k) => [v.name, inputs[k].dims]));
      const key = JSON.stringify(inputShapes);
      let session = sessions.get(key);
      if (!session) {
        session = await InferenceSession.create(model, { inputShapes, warmup: false });
        sessions.set(key, session);
      }
      if (wants.length !== session.outputs.length) {
        throw new CaseFailure(`${set}: ${wants.length} output_*.pb file(s), the model has ${session.outputs.length} output(s)`);
      }
      const result = await session.run(Object.fromEntries(graph.inputs.map((v, k) => [v.name, inputs[k].data])));
      session.outputs.forEach((o, k) => {
        maxAbs = Math.max(maxAbs, compare(set, o.name, result[o.name], wants[k]));
      });
    }
  } finally {
    model.dispose();
  }
  return maxAbs;
}

/** Runs every directory in order, printing each verdict as soon as it is known. */
export async function testDirs(dirs: readonly string[], device: CliDevice, log: (line: string) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const dir of dirs) {
    const name = basename(resolve(dir));
    let result: CaseResult;
    try {
      result = { name, pass: true, maxAbs: await runCase(dir, device) };
      log(`PASS ${name} max_abs=${formatMaxAbs(result.maxAbs)}`);
    } catch (e) {
      result = { name, pass: false, reason: failureReason(e) };
      log(`FAIL ${name} ${result.reason}`);
    }
    results.push(result);
  }
  const passed = results.filter((r) => r.pass).length;
  log(`${passed} passed, ${results.length - passed} failed`);
  return results;
}
