/**
 * HardSwish, the worked example of docs/custom-shaders.md: a new op with its own WGSL kernel, checked against
 * onnxruntime alone and inside a model (Conv -> HardSwish), fused with a following Relu, replaced per session,
 * and reported by `onnx info` as the kernel that serves the op.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OpDefinition } from '../../engine/kernel.ts';
import { hardSwish } from '../../engine/ops/hardswish.ts';
import { ModelBuilder } from '../../models/onnx-builder.ts';
import { KERNELS } from '../../engine/ops/registry.ts';
import { runCli } from '../../engine-cli/test-support.ts';
import { randomFloat32 } from '../helpers/random.ts';
import { attr, checkSingleOp, expectMatchesOrt, randomFeeds } from './op-model.ts';

/** Conv(8x3x3x3, pad 1) -> HardSwish [-> Relu] on 1x3x10x10, weights scaled so outputs cross both kinks (+-3). */
function convHardSwishModel(withRelu = false): Uint8Array {
  const b = new ModelBuilder({ opset: 14 })
    .input('x', [1, 3, 10, 10])
    .initializer('w', [8, 3, 3, 3], randomFloat32(8 * 27, 41, 1.5))
    .initializer('bias', [8], randomFloat32(8, 42, 2))
    .node('Conv', ['x', 'w', 'bias'], ['c'], { pads: attr.ints([1, 1, 1, 1]) }, { name: 'conv' })
    .node('HardSwish', ['c'], [withRelu ? 'h' : 'y'], {}, { name: 'hswish' });
  if (withRelu) b.node('Relu', ['h'], ['y'], {}, { name: 'relu' });
  return b.output('y', [1, 8, 10, 10]).toBytes();
}

describe('HardSwish', () => {
  it('is registered in engine/ops/registry.ts', () => {
    expect(KERNELS.HardSwish).toBe(hardSwish);
  });

  it('matches onnxruntime on both kinks and the linear and flat parts', async () => {
    // -3 and 3 are where the clamp starts and ends; beyond them y is 0 and x.
    const data = Float32Array.from([-100, -6, -3.0001, -3, -2.9999, -1.5, -0.5, 0, 0.5, 1.5, 2.9999, 3, 3.0001, 6, 100, -0]);
    await checkSingleOp({ op: 'HardSwish', opset: 14, operands: [{ name: 'x', dims: [4, 4], data }], outputs: [[4, 4]] });
  });

  it('matches onnxruntime on random data over several workgroups', async () => {
    const data = randomFloat32(2 * 5 * 17 * 19, 7, 5);
    const stats = await checkSingleOp({ op: 'HardSwish', opset: 14, operands: [{ name: 'x', dims: [2, 5, 17, 19], data }], outputs: [[2, 5, 17, 19]] });
    expect(stats.kernels).toEqual({ hardswish: 1 });
  });

  it('runs after a Conv in a model, as its own dispatch', async () => {
    const stats = await expectMatchesOrt(convHardSwishModel(), randomFeeds({ x: [1, 3, 10, 10] }));
    expect(stats.dispatches).toBe(2);
    expect(stats.kernels).toMatchObject({ hardswish: 1 });
  });

  it('takes a following Relu into its own dispatch (fusesActivation)', async () => {
    const stats = await expectMatchesOrt(convHardSwishModel(true), randomFeeds({ x: [1, 3, 10, 10] }));
    expect(stats.dispatches).toBe(2);
    expect(stats.kernels).toMatchObject({ hardswish: 1 });
    expect(Object.keys(stats.kernels)).not.toContain('relu');
  });

  it('can be replaced for one session with InferenceSession.create(..., { kernels })', async () => {
    const mine: OpDefinition = {
      ...hardSwish,
      createDispatches: (ctx) => hardSwish.createDispatches!(ctx).map((d) => ({ ...d, label: `my_hardswish:${ctx.node.name}` })),
    };
    const stats = await expectMatchesOrt(convHardSwishModel(), randomFeeds({ x: [1, 3, 10, 10] }), { kernels: { HardSwish: mine } });
    expect(stats.kernels).toMatchObject({ my_hardswish: 1 });
    expect(stats.kernels).not.toHaveProperty('hardswish');
  });

  it('is shown by `onnx info` as the kernel serving the op', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardswish-info-'));
    try {
      const file = join(dir, 'conv_hardswish.onnx');
      await writeFile(file, convHardSwishModel());
      const r = await runCli(['info', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\s+HardSwish\s+1\s+hardswish x1$/m);
      expect(r.stdout).toMatch(/^\s+Conv\s+1\s+conv2d_tiled x1$/m);
      expect(r.stdout).not.toMatch(/unsupported ops/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
