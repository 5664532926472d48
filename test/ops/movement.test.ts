/**
 * Data movement ops against onnxruntime: Transpose, Slice, Split, Pad, Tile, Expand and Gather on the GPU, at
 * ranks 1..6, negative axes and steps, every opset form (attributes before, inputs after), and folded on the CPU
 * when their inputs are constants.
 */
import { describe, expect, it } from 'vitest';
import { ModelBuilder, type Attribute } from '../../models/onnx-builder.ts';
import { attr, expectMatchesOrt, randomFeeds, symbolic } from './op-model.ts';

interface MoveSpec {
  op: string;
  opset: number;
  dims: number[];
  /** int64 initializers after x, in input order; null for an omitted optional input. */
  ints?: (number[] | null)[];
  /** A float scalar initializer appended after the ints (Pad's constant_value). */
  value?: number;
  attributes?: Record<string, Attribute>;
  outputs?: number;
  /** Output rank (default: the input's). */
  rank?: number;
}

function moveModel(spec: MoveSpec): Uint8Array {
  const b = new ModelBuilder({ opset: spec.opset }).input('x', spec.dims);
  const inputs = ['x'];
  (spec.ints ?? []).forEach((v, k) => {
    if (!v) return void inputs.push('');
    b.initializerInt64(`i${k}`, [v.length], v);
    inputs.push(`i${k}`);
  });
  if (spec.value !== undefined) {
    b.initializer('value', [], Float32Array.of(spec.value));
    inputs.push('value');
  }
  const outputs = Array.from({ length: spec.outputs ?? 1 }, (_, k) => `y${k}`);
  b.node(spec.op, inputs, outputs, spec.attributes ?? {}, { name: `${spec.op.toLowerCase()}_node` });
  for (const o of outputs) b.output(o, symbolic(spec.rank ?? spec.dims.length));
  return b.toBytes();
}

const check = (spec: MoveSpec) => expectMatchesOrt(moveModel(spec), randomFeeds({ x: spec.dims }));

describe('Transpose', () => {
  it('default perm reverses the dims', () => check({ op: 'Transpose', opset: 13, dims: [2, 3, 4] }));
  it('rank 1', () => check({ op: 'Transpose', opset: 13, dims: [7] }));
  it("ShuffleNet's 5-D channel shuffle [0,2,1,3,4]", () => check({ op: 'Transpose', opset: 13, dims: [1, 4, 6, 5, 3], attributes: { perm: attr.ints([0, 2, 1, 3, 4]) } }));
  it("EfficientNet-Lite4's NHWC input [0,3,1,2]", () => check({ op: 'Transpose', opset: 13, dims: [1, 9, 7, 3], attributes: { perm: attr.ints([0, 3, 1, 2]) } }));
  // A contiguous innermost dim is copied in chunks of 8 per invocation: 21 = 8 + 8 + a partial 5.
  it('keeping a long last dim: chunked rows with a partial chunk', () => check({ op: 'Transpose', opset: 13, dims: [2, 3, 4, 21], attributes: { perm: attr.ints([0, 2, 1, 3]) } }));
  it('rank 6, opset 7', () => check({ op: 'Transpose', opset: 7, dims: [2, 3, 1, 4, 2, 3], attributes: { perm: attr.ints([5, 3, 0, 4, 2, 1]) } }));
  it('moving only size-1 dims is a view: no dispatch', async () => {
    const stats = await check({ op: 'Transpose', opset: 13, dims: [1, 5, 1, 6], attributes: { perm: attr.ints([2, 1, 0, 3]) } });
    expect(stats.dispatches).toBe(0);
  });
});

describe('Slice', () => {
  it('opset 7 attributes with axes', () => check({ op: 'Slice', opset: 7, dims: [4, 6, 5], attributes: { starts: attr.ints([1, -4]), ends: attr.ints([3, 100]), axes: attr.ints([0, -1]) } }));
  it('opset 9 without axes', () => check({ op: 'Slice', opset: 9, dims: [5, 6], attributes: { starts: attr.ints([1, 0]), ends: attr.ints([-1, 4]) } }));
  it('opset 10 inputs, steps > 1', () => check({ op: 'Slice', opset: 10, dims: [7, 8, 3], ints: [[1, 0], [7, 8], [0, 1], [2, 3]] }));
  it('an outer-axis slice of rows of 19 (chunked, stride 1 inside)', () => check({ op: 'Slice', opset: 13, dims: [5, 3, 19], ints: [[1, 1], [4, 3], [0, 1]] }));
  it('negative steps walk backwards, clamped ends', () => check({ op: 'Slice', opset: 13, dims: [6, 5, 4], ints: [[100, -1], [-100, 0], [0, 2], [-2, -1]] }));
  it('rank 6 with omitted axes and steps', () => check({ op: 'Slice', opset: 13, dims: [2, 3, 2, 4, 3, 5], ints: [[0, 1, 0, 1, 0, 2], [2, 3, 1, 4, 2, 5]] }));
  it('steps without axes (axes omitted)', () => check({ op: 'Slice', opset: 13, dims: [5, 6], ints: [[0, 5], [5, -100], null, [1, -2]] }));
});

describe('Split', () => {
  it('equal split by default, opset 11', () => check({ op: 'Split', opset: 11, dims: [2, 6, 3], attributes: { axis: attr.int(1) }, outputs: 3 }));
  it('split attribute, opset 7, negative axis', () => check({ op: 'Split', opset: 7, dims: [3, 7], attributes: { axis: attr.int(-1), split: attr.ints([2, 5]) }, outputs: 2 }));
  it('split input, opset 13, rank 5', () => check({ op: 'Split', opset: 13, dims: [1, 2, 6, 2, 3], ints: [[1, 2, 3]], attributes: { axis: attr.int(2) }, outputs: 3 }));
  it('num_outputs with a smaller last part, opset 18', () => check({ op: 'Split', opset: 18, dims: [7, 2], attributes: { num_outputs: attr.int(3) }, outputs: 3 }));
});

describe('Pad', () => {
  it('constant, opset 7 attribute with value', () => check({ op: 'Pad', opset: 7, dims: [2, 3, 4], attributes: { pads: attr.ints([0, 1, 2, 1, 0, 3]), value: attr.float(1.5) } }));
  it('edge, opset 11 input', () => check({ op: 'Pad', opset: 11, dims: [1, 3, 4, 5], ints: [[0, 0, 2, 1, 0, 0, 1, 3]], attributes: { mode: attr.string('edge') } }));
  it('reflect, opset 13', () => check({ op: 'Pad', opset: 13, dims: [2, 4, 5], ints: [[0, 3, 2, 0, 2, 4]], attributes: { mode: attr.string('reflect') } }));
  it('constant_value input and negative pads crop', () => check({ op: 'Pad', opset: 13, dims: [4, 5], ints: [[-1, 2, 1, -2]], value: -3 }));
  it('axes input (negative), opset 18', () => check({ op: 'Pad', opset: 18, dims: [2, 3, 4], ints: [[1, 2, 3, 1], null, [-1, 0]] }));
  it('wrap, opset 19, rank 6', () => check({ op: 'Pad', opset: 19, dims: [1, 2, 1, 3, 2, 2], ints: [[0, 1, 0, 2, 1, 0, 0, 1, 0, 3, 0, 1]], attributes: { mode: attr.string('wrap') } }));
  it('rank 1', () => check({ op: 'Pad', opset: 13, dims: [5], ints: [[3, 2]], attributes: { mode: attr.string('reflect') } }));
  it('constant_value computed at run time (a graph input, then negated), read by the kernel', () => {
    const b = new ModelBuilder({ opset: 13 }).input('x', [3, 4, 5]).input('v', []);
    b.initializerInt64('pads', [6], [1, 0, 2, 0, 3, -1]);
    b.node('Neg', ['v'], ['nv']).node('Pad', ['x', 'pads', 'v'], ['p1']).node('Pad', ['x', 'pads', 'nv'], ['p2']);
    b.output('p1', symbolic(3)).output('p2', symbolic(3));
    return expectMatchesOrt(b.toBytes(), { ...randomFeeds({ x: [3, 4, 5] }), v: { data: Float32Array.of(2.5), dims: [] } });
  });
});

describe('Tile, Expand, Gather', () => {
  it('Tile rank 3', () => check({ op: 'Tile', opset: 13, dims: [2, 1, 3], ints: [[2, 3, 1]] }));
  it('Tile rank 6, opset 7', () => check({ op: 'Tile', opset: 7, dims: [1, 2, 1, 2, 1, 2], ints: [[2, 1, 3, 1, 2, 2]] }));
  it('Expand to a higher rank', () => check({ op: 'Expand', opset: 13, dims: [3, 1], ints: [[2, 1, 4]], rank: 3 }));
  it('Expand with a smaller shape keeps the input dims, opset 8', () => check({ op: 'Expand', opset: 8, dims: [2, 1, 5], ints: [[3, 1]] }));
  it('Gather on axis 1 with negative indices', () => check({ op: 'Gather', opset: 13, dims: [2, 5, 3], ints: [[4, -1, 0, -5]], attributes: { axis: attr.int(1) } }));
  it('Gather on axis -1, opset 7, rank 4', () => check({ op: 'Gather', opset: 7, dims: [2, 3, 2, 6], ints: [[5, 1]], attributes: { axis: attr.int(-1) } }));
  it('Gather with 2-D indices on axis 0', async () => {
    const model = new ModelBuilder({ opset: 13 }).input('x', [4, 3]).initializerInt64('idx', [2, 2], [3, 0, -1, 1]).node('Gather', ['x', 'idx'], ['y']).output('y', symbolic(3)).toBytes();
    await expectMatchesOrt(model, randomFeeds({ x: [4, 3] }));
  });
});

describe('data movement of constants folds on the CPU', () => {
  it('Transpose, Slice, Pad, Tile of an initializer cost no dispatch', async () => {
    const w = Float32Array.from({ length: 24 }, (_, i) => i - 7);
    const model = new ModelBuilder({ opset: 13 })
      .input('x', [3, 2, 4])
      .initializer('w', [2, 3, 4], w)
      .initializerInt64('perm_s', [1], [0])
      .initializerInt64('perm_e', [1], [-1])
      .initializerInt64('pads', [6], [0, 0, 0, 1, 0, 0])
      .initializerInt64('reps', [3], [1, 1, 1])
      .node('Transpose', ['w'], ['t'], { perm: attr.ints([1, 0, 2]) })
      .node('Slice', ['t', 'perm_s', 'perm_e'], ['s'])
      .node('Pad', ['s', 'pads'], ['p'], { mode: attr.string('reflect') })
      .node('Tile', ['p', 'reps'], ['c'])
      .node('Add', ['x', 'c'], ['y'])
      .output('y', [3, 2, 4])
      .toBytes();
    const stats = await expectMatchesOrt(model, randomFeeds({ x: [3, 2, 4] }));
    expect(stats.dispatches).toBe(1);
  });
});
