/**
 * @module Test support for the CLI tests: writes ONNX backend-test directories whose expected outputs come
 * from onnxruntime-node, and spawns the CLI as a user would.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeTensorProto } from '../models/tensor-proto.ts';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { randomFloat32 } from '../test/helpers/random.ts';
import { PROJECT_ROOT } from '../scripts/project-config.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx --import ./tools/wgsl-register.mjs engine-cli/main.ts ...args` from the repo root. */
export function runCli(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './tools/wgsl-register.mjs', 'engine-cli/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Conv(8x3x3x3, stride 2, pad 1) + Relu on 1x3x9x9: output 1x8x5x5. */
export function convReluModel(): Uint8Array {
  return new ModelBuilder({ opset: 13 })
    .input('x', [1, 3, 9, 9])
    .output('y', [1, 8, 5, 5])
    .initializer('W', [8, 3, 3, 3], randomFloat32(8 * 27, 2, 0.5))
    .initializer('B', [8], randomFloat32(8, 3, 0.5))
    .node('Conv', ['x', 'W', 'B'], ['c'], { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, { name: 'conv1' })
    .node('Relu', ['c'], ['y'], {}, { name: 'relu1' })
    .toBytes();
}

/** A model using `op` (an op without a kernel) after a Relu. */
export function unsupportedOpModel(op: string): Uint8Array {
  return new ModelBuilder({ opset: 13 })
    .input('x', [1, 4])
    .output('y', [1, 4])
    .node('Relu', ['x'], ['r'], {}, { name: 'relu' })
    .node(op, ['r'], ['y'], {}, { name: `my_${op.toLowerCase()}` })
    .toBytes();
}

export interface BackendDirOptions {
  /** Changes the expected outputs after ORT computed them (to make a case fail). */
  alterExpected?: (data: Float32Array) => void;
  /** Data sets to write (default 1). */
  dataSets?: number;
}

/**
 * Writes `<root>/<name>/model.onnx` and `test_data_set_<k>/{input,output}_<i>.pb`. Expected outputs come from
 * onnxruntime-node unless the model cannot run there, in which case zeros of the declared shape are written
 * (the unsupported-op cases never reach the comparison).
 */
export async function writeBackendDir(
  root: string,
  name: string,
  model: Uint8Array,
  inputs: { name: string; dims: number[] }[],
  outputs: { name: string; dims: number[] }[],
  options: BackendDirOptions = {},
): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.onnx'), model);
  for (let k = 0; k < (options.dataSets ?? 1); k++) {
    const setDir = join(dir, `test_data_set_${k}`);
    await mkdir(setDir, { recursive: true });
    const feeds = Object.fromEntries(inputs.map((v, i) => [v.name, { dims: v.dims, data: randomFloat32(v.dims.reduce((a, b) => a * b, 1), 100 + 10 * k + i) }]));
    let expected: Record<string, { data: Float32Array; dims: number[] }>;
    try {
      expected = await runOrt(model, feeds);
    } catch {
      expected = Object.fromEntries(outputs.map((o) => [o.name, { dims: o.dims, data: new Float32Array(o.dims.reduce((a, b) => a * b, 1)) }]));
    }
    for (const [i, v] of inputs.entries()) await writeFile(join(setDir, `input_${i}.pb`), encodeTensorProto(v.name, v.dims, feeds[v.name].data));
    for (const [i, o] of outputs.entries()) {
      const t = expected[o.name];
      options.alterExpected?.(t.data);
      await writeFile(join(setDir, `output_${i}.pb`), encodeTensorProto(o.name, t.dims, t.data));
    }
  }
  return dir;
}
