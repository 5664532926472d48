import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { decodeTensorProto } from '../models/tensor-proto.ts';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { SQUEEZENET11_PATH } from '../models/paths.ts';
import { convReluModel, runCli, unsupportedOpModel, writeBackendDir } from './test-support.ts';
import { maxAbsDiff, withinTolerance } from './tolerance.ts';

const { onnx } = onnxProto;
/** A JavaScript stack frame (Dawn's own warnings print C++ `at InitializeImpl (...cpp:257)` lines). */
const JS_STACK = /\n\s+at .*(file:\/\/|node:internal|\.ts:\d+)/;
let root: string;
const X = [{ name: 'x', dims: [1, 3, 9, 9] }];
const Y = [{ name: 'y', dims: [1, 8, 5, 5] }];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'onnx-cli-'));
  await writeBackendDir(root, 'test_conv_relu', convReluModel(), X, Y, { dataSets: 2 });
  await writeBackendDir(root, 'test_conv_relu_altered', convReluModel(), X, Y, { alterExpected: (d) => void (d[7] += 0.5) });
  await writeBackendDir(root, 'test_celu', unsupportedOpModel('Celu'), [{ name: 'x', dims: [1, 4] }], [{ name: 'y', dims: [1, 4] }]);
  await writeBackendDir(root, 'test_mish', unsupportedOpModel('Mish'), [{ name: 'x', dims: [1, 4] }], [{ name: 'y', dims: [1, 4] }]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('onnx test', () => {
  it('should print PASS/FAIL per directory, keep going after failures, count them and exit 1', async () => {
    const dirs = ['test_conv_relu', 'test_conv_relu_altered', 'test_celu', 'test_missing', 'test_mish'].map((d) => join(root, d));
    const r = await runCli(['test', ...dirs]);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^PASS test_conv_relu max_abs=[0-9.e-]+$/);
    expect(Number(lines[0].split('max_abs=')[1])).toBeLessThan(1e-4);
    expect(lines[1]).toMatch(/^FAIL test_conv_relu_altered .*max_abs=0\.5\b/);
    expect(lines[2]).toBe('FAIL test_celu unsupported op Celu (node "my_celu")');
    expect(lines[3]).toMatch(/^FAIL test_missing .*model\.onnx/);
    expect(lines[4]).toBe('FAIL test_mish unsupported op Mish (node "my_mish")');
    expect(lines[5]).toBe('1 passed, 4 failed');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(JS_STACK); // a FAIL is a verdict, not a crash with a stack
  });

  it('should exit 0 when every directory passes (every data set compared)', async () => {
    const r = await runCli(['test', join(root, 'test_conv_relu')]);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^PASS test_conv_relu max_abs=/), '1 passed, 0 failed']);
    expect(r.code).toBe(0);
  });
});

describe('onnx on the SqueezeNet 1.1 stand-in', () => {
  it('should pass its backend-test dir against onnxruntime and report the known size and MACs', async () => {
    const model = new Uint8Array(await readFile(SQUEEZENET11_PATH));
    const dir = await writeBackendDir(root, 'squeezenet1.1', model, [{ name: 'data', dims: [1, 3, 224, 224] }], [{ name: 'squeezenet0_flatten0_reshape0', dims: [1, 1000] }]);
    const r = await runCli(['test', dir]);
    expect(r.stdout).toMatch(/^PASS squeezenet1\.1 max_abs=/m);
    expect(r.code).toBe(0);
    const info = await runCli(['info', SQUEEZENET11_PATH]);
    expect(info.stdout).toMatch(/^stand-in: yes/m);
    expect(info.stdout).toMatch(/^parameters: 1,235,496$/m); // torchvision's squeezenet1_1 has 1,235,496
    expect(info.stdout).toMatch(/^MACs: 349,151,936\b/m); // the published ~0.35 GMACs
    expect(info.stdout).toMatch(/^ {2}Conv +26 +.*conv2d/m);
    expect(info.stdout).toMatch(/^ {2}Concat +8 /m);
  });
});

describe('onnx run', () => {
  it('should write output_0.pb with the output name and dims, equal to onnxruntime', async () => {
    const out = join(root, 'out');
    const input = join(root, 'test_conv_relu', 'test_data_set_0', 'input_0.pb');
    const r = await runCli(['run', join(root, 'test_conv_relu', 'model.onnx'), input, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const got = decodeTensorProto(new Uint8Array(await readFile(join(out, 'output_0.pb'))));
    const x = decodeTensorProto(new Uint8Array(await readFile(input)));
    const want = (await runOrt(convReluModel(), { x: { data: x.data, dims: x.dims } })).y;
    expect(got.name).toBe('y');
    expect(got.dims).toEqual([1, 8, 5, 5]);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
    expect(withinTolerance(got.data, want.data)).toBe(true);
  });

  it('should reject an integer-typed input naming it, with exit 1 and no stack trace', async () => {
    const bad = join(root, 'int_input.pb');
    await writeFile(bad, onnx.TensorProto.encode({ name: 'x', dims: [1, 3, 9, 9], dataType: onnx.TensorProto.DataType.INT64, int64Data: new Array(243).fill(1) }).finish());
    const r = await runCli(['run', join(root, 'test_conv_relu', 'model.onnx'), bad, '-o', join(root, 'out2')]);
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/input "x".*int64.*float32/);
    expect(r.stderr).not.toMatch(JS_STACK);
  });

  it('should report a wrong number of inputs as an error', async () => {
    const r = await runCli(['run', join(root, 'test_conv_relu', 'model.onnx'), '-o', join(root, 'out3')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: the model has 1 input\(s\) \(x\); 0 \.pb file\(s\) given/);
  });
});

describe('onnx info', () => {
  it('should print inputs, outputs, ops, parameters, MACs, stand-in flag, kernels and memory', async () => {
    // Grouped conv: Cin 4, Cout 6, group 2, 3x3, pad 1 on 7x7 -> MACs = 6 * (4/2) * 3 * 3 * 7 * 7 = 5292.
    const model = new ModelBuilder({ opset: 13 })
      .input('img', [1, 4, 7, 7])
      .output('out', [1, 6, 7, 7])
      .initializer('W', [6, 2, 3, 3], new Float32Array(6 * 2 * 9).fill(0.1))
      .initializer('B', [6], new Float32Array(6))
      .node('Conv', ['img', 'W', 'B'], ['c'], { group: attr.int(2), pads: attr.ints([1, 1, 1, 1]) }, { name: 'gconv' })
      .node('Relu', ['c'], ['out'], {}, { name: 'act' })
      .metadata('stand_in', 'true')
      .toBytes();
    const path = join(root, 'gconv.onnx');
    await writeFile(path, model);
    const r = await runCli(['info', path]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^ {2}img \[1, 4, 7, 7\] float32$/m);
    expect(out).toMatch(/^ {2}out \[1, 6, 7, 7\] float32$/m);
    expect(out).toMatch(/^stand-in: yes/m);
    expect(out).toMatch(/^parameters: 114$/m); // 6*2*3*3 + 6
    expect(out).toMatch(/^MACs: 5,292\b/m);
    expect(out).toMatch(/^ {2}Conv +1 +conv2d\w*/m); // the kernel label that served it
    expect(out).toMatch(/^ {2}Relu +1 +fused/m);
    expect(out).toMatch(/^adapter: .+\[.+, (software|hardware)\]$/m);
    expect(out).toMatch(/^kernel variant: (software|hardware)/m);
    expect(out).toMatch(/^peak activation bytes: [\d,]+/m);
    expect(out).toMatch(/^dispatches: 1\b/m);
  });

  it('should still print the static part when the model has an unsupported op', async () => {
    const r = await runCli(['info', join(root, 'test_mish', 'model.onnx')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}Mish +1 +NO KERNEL$/m);
    expect(r.stdout).toMatch(/^unsupported ops: Mish$/m);
    expect(r.stdout).toMatch(/^session: cannot be built \(unsupported op Mish \(node "my_mish"\)\)$/m);
  });
});

describe('arguments and errors', () => {
  it.each([[[]], [['frob']], [['run', 'm.onnx']], [['test']], [['info']], [['info', 'a', 'b']], [['test', 'd', '--bogus']]])('should print usage and exit 2 for %j', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .+\nusage:/);
  });

  it('should print one error line without a stack, or the stack with --verbose', async () => {
    const quiet = await runCli(['info', join(root, 'nope.onnx')]);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr.trim()).toMatch(/^error: ENOENT.*nope\.onnx'?$/);
    const verbose = await runCli(['info', join(root, 'nope.onnx'), '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(JS_STACK);
  });

  it('should report a corrupt model as a model error', async () => {
    const path = join(root, 'garbage.onnx');
    await writeFile(path, Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff));
    const r = await runCli(['info', path]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: .*(ONNX|protobuf)/);
  });
});
