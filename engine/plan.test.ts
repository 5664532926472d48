import { describe, expect, it } from 'vitest';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { getTestDevice } from '../test/helpers/device.ts';
import { randomFloat32 } from '../test/helpers/random.ts';
import { prepareModel } from './prepare.ts';
import { buildPlan, type Plan } from './plan.ts';
import { InferenceSession } from './session.ts';
import { maxAbsDiff } from '../engine-cli/tolerance.ts';

function plan(bytes: Uint8Array, offsetAlignment = 256): Plan {
  return buildPlan(prepareModel(bytes), { offsetAlignment });
}

const activationStorages = (p: Plan) => p.storages.filter((s) => s.kind === 'activation');
const stepOf = (p: Plan, op: string) => p.steps.find((s) => s.node.opType === op)!;

describe('plan: buffer reuse', () => {
  it('should run a chain of 6 convs in at most 3 activation buffers', () => {
    const b = new ModelBuilder({ opset: 13 }).input('x', [1, 4, 16, 16]).output('c6', [1, 4, 16, 16]);
    let prev = 'x';
    for (let i = 1; i <= 6; i++) {
      b.initializer(`W${i}`, [4, 4, 3, 3], randomFloat32(144, i));
      b.node('Conv', [prev, `W${i}`], [`c${i}`], { pads: attr.ints([1, 1, 1, 1]) });
      prev = `c${i}`;
    }
    const p = plan(b.toBytes());
    const act = activationStorages(p);
    expect(act.length).toBeGreaterThanOrEqual(2); // a conv cannot read and write one buffer
    expect(act.length).toBeLessThanOrEqual(3);
    expect(p.totalActivationBytes).toBe(6 * 4 * 16 * 16 * 4);
    expect(p.peakActivationBytes).toBeLessThan(p.totalActivationBytes);
    // No step reads and writes the same buffer.
    for (const s of p.steps) {
      const read = s.node.inputs.filter((v) => v && p.placements.has(v)).map((v) => p.placements.get(v)!.storage);
      for (const o of s.node.outputs) expect(read).not.toContain(p.placements.get(o)!.storage);
    }
  });
});

describe('plan: views', () => {
  it('should alias Reshape and Flatten outputs to their input, with no dispatch', () => {
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', [1, 2, 4, 4])
      .output('y', [1, 32])
      .output('z', [2, 16])
      .initializer('W', [2, 2, 1, 1], randomFloat32(4, 1))
      .initializerInt64('shape', [2], [2, -1])
      .node('Conv', ['x', 'W'], ['c'])
      .node('Flatten', ['c'], ['y'])
      .node('Reshape', ['c', 'shape'], ['z'])
      .toBytes();
    const p = plan(bytes);
    const c = p.placements.get('c')!;
    for (const v of ['y', 'z']) {
      expect(p.placements.get(v)).toMatchObject({ storage: c.storage, byteOffset: c.byteOffset, byteSize: c.byteSize });
    }
    expect(p.placements.get('y')!.shape).toEqual([1, 32]);
    expect(p.placements.get('z')!.shape).toEqual([2, 16]);
    expect(stepOf(p, 'Flatten').elided).toBe(true);
    expect(stepOf(p, 'Reshape').elided).toBe(true);
  });
});

describe('plan: in-place Concat', () => {
  /** Two 1x1 convs of x concatenated on channels; `extraUse` also reads the first conv's output. */
  function concatModel(channels: number, hw: number, extraUse = false): ModelBuilder {
    const b = new ModelBuilder({ opset: 13 })
      .input('x', [1, 2, hw, hw])
      .output('y', [1, 2 * channels, hw, hw])
      .initializer('Wa', [channels, 2, 1, 1], randomFloat32(2 * channels, 1))
      .initializer('Wb', [channels, 2, 1, 1], randomFloat32(2 * channels, 2))
      .node('Conv', ['x', 'Wa'], ['a'], {}, { name: 'conv_a' })
      .node('Conv', ['x', 'Wb'], ['b'], {}, { name: 'conv_b' })
      .node('Concat', ['a', 'b'], ['y'], { axis: attr.int(1) }, { name: 'cat' });
    if (extraUse) b.output('s', [1, channels, hw, hw]).node('Sigmoid', ['a'], ['s']);
    return b;
  }

  it('should elide an aligned Concat: producers write straight into slices of its buffer', () => {
    const p = plan(concatModel(4, 8).toBytes()); // each slice 4*8*8*4 = 1024 bytes, 256-aligned
    expect(stepOf(p, 'Concat').elided).toBe(true);
    const y = p.placements.get('y')!;
    expect(p.placements.get('a')).toMatchObject({ storage: y.storage, byteOffset: y.byteOffset, byteSize: 1024 });
    expect(p.placements.get('b')).toMatchObject({ storage: y.storage, byteOffset: y.byteOffset + 1024, byteSize: 1024 });
  });

  it('should not elide when a slice offset is not a multiple of the binding alignment', () => {
    const p = plan(concatModel(1, 3).toBytes()); // 36-byte slices
    expect(stepOf(p, 'Concat').elided).toBe(false);
  });

  it('should not elide when a Concat input has another consumer', () => {
    const p = plan(concatModel(4, 8, true).toBytes());
    expect(stepOf(p, 'Concat').elided).toBe(false);
    expect(p.placements.get('a')!.storage).not.toBe(p.placements.get('y')!.storage);
  });

  it.each([
    ['in place', false],
    ['copied', true],
  ])('should match onnxruntime when the Concat is %s', async (_, extraUse) => {
    const model = concatModel(4, 8, extraUse).toBytes();
    const x = randomFloat32(128, 3);
    const want = await runOrt(model, { x: { data: x, dims: [1, 2, 8, 8] } });
    const { device } = await getTestDevice();
    const session = await InferenceSession.create(device, model);
    try {
      const got = await session.run({ x });
      // In place: just the two convs. Copied: the convs, the Sigmoid and the Concat kernel's copies.
      if (extraUse) expect(session.stats.dispatches).toBeGreaterThanOrEqual(4);
      else expect(session.stats.dispatches).toBe(2);
      for (const name of Object.keys(want)) expect(maxAbsDiff(got[name].data, want[name].data)).toBeLessThan(1e-5);
    } finally {
      session.dispose();
    }
  });
});
