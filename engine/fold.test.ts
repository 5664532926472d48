/**
 * Every `evaluate` hook checked against onnxruntime on small all-constant graphs: ORT runs the graph, prepareModel
 * must fold it away entirely (no node left) to the same values, dims and element type.
 */
import { describe, expect, it } from 'vitest';
import { ModelBuilder, attr } from '../models/onnx-builder.ts';
import type { ElementType } from '../models/tensor-proto.ts';
import { runOrtValues } from '../test/helpers/ort.ts';
import { valuesOf } from './graph.ts';
import { prepareModel } from './prepare.ts';

/** ORT's type names for ours. */
const ORT_TYPE: Record<ElementType, string> = { float32: 'float32', int64: 'int64', int32: 'int32', uint8: 'uint8', bool: 'bool' };

interface Case {
  build: (b: ModelBuilder) => ModelBuilder;
  /** Output name -> [element type, rank]. */
  outputs: Record<string, [ElementType, number]>;
  opset?: number;
}

async function expectFoldsLikeOrt({ build, outputs, opset = 13 }: Case): Promise<void> {
  const b = build(new ModelBuilder({ opset }));
  for (const [name, [type, rank]] of Object.entries(outputs)) b.output(name, Array.from({ length: rank }, (_, i) => `d${i}`), type);
  const bytes = b.toBytes();
  const want = await runOrtValues(bytes);
  const prepared = prepareModel(bytes);
  expect(prepared.nodes.map((n) => n.opType), 'nodes left after folding').toEqual([]);
  for (const [name, [type]] of Object.entries(outputs)) {
    const out = prepared.outputs.find((o) => o.name === name)!;
    const got = prepared.constants.get(out.value)!;
    expect(want[name].type, `${name}: ORT type`).toBe(ORT_TYPE[type]);
    expect(got.dataType, `${name}: type`).toBe(type);
    expect(got.dims, `${name}: dims`).toEqual(want[name].dims);
    expect(Array.from(valuesOf(got)), `${name}: values`).toEqual(want[name].values);
  }
}

const I64 = (b: ModelBuilder, name: string, dims: number[], data: number[]) => b.typedInitializer(name, 'int64', dims, data);

describe('evaluate hooks against onnxruntime', () => {
  it('Shape, whole and with opset-15 start/end (negative end)', () =>
    expectFoldsLikeOrt({
      opset: 15,
      build: (b) =>
        b.initializer('x', [2, 3, 4, 5], new Float32Array(120))
          .node('Shape', ['x'], ['all'])
          .node('Shape', ['x'], ['mid'], { start: attr.int(1), end: attr.int(-1) }),
      outputs: { all: ['int64', 1], mid: ['int64', 1] },
    }));

  it('Gather: scalar index, negative indices, axis 1', () =>
    expectFoldsLikeOrt({
      build: (b) => {
        I64(b, 'data', [2, 3], [10, 11, 12, 20, 21, 22]);
        I64(b, 'i0', [], [0]);
        I64(b, 'ineg', [2], [-1, 0]);
        return b.node('Gather', ['data', 'i0'], ['row0'])
          .node('Gather', ['data', 'ineg'], ['rows'])
          .node('Gather', ['data', 'ineg'], ['cols'], { axis: attr.int(1) });
      },
      outputs: { row0: ['int64', 1], rows: ['int64', 2], cols: ['int64', 2] },
    }));

  it('Unsqueeze, Squeeze, Reshape (0 and -1), Flatten of constants', () =>
    expectFoldsLikeOrt({
      build: (b) => {
        I64(b, 'v', [2, 3], [1, 2, 3, 4, 5, 6]);
        I64(b, 'axes', [2], [0, -1]);
        I64(b, 'sq', [1], [0]);
        I64(b, 'shape', [2], [0, -1]);
        return b.node('Unsqueeze', ['v', 'axes'], ['u'])
          .node('Squeeze', ['u', 'sq'], ['s'])
          .node('Reshape', ['v', 'shape'], ['r'])
          .node('Flatten', ['u'], ['f'], { axis: attr.int(2) });
      },
      outputs: { u: ['int64', 4], s: ['int64', 3], r: ['int64', 2], f: ['int64', 2] },
    }));

  it('Concat on axis 0 and on axis -1', () =>
    expectFoldsLikeOrt({
      build: (b) => {
        I64(b, 'a', [2, 2], [1, 2, 3, 4]);
        I64(b, 'b', [2, 1], [9, 8]);
        I64(b, 'c', [1, 2], [7, 6]);
        return b.node('Concat', ['a', 'b'], ['wide'], { axis: attr.int(-1) }).node('Concat', ['a', 'c'], ['tall'], { axis: attr.int(0) });
      },
      outputs: { wide: ['int64', 2], tall: ['int64', 2] },
    }));

  it('Cast between float32, int64, int32, uint8 and bool (truncation toward zero)', () =>
    expectFoldsLikeOrt({
      build: (b) =>
        b.initializer('f', [6], Float32Array.of(-2.7, -0.5, 0, 0.5, 2.7, 300))
          .typedInitializer('i', 'int64', [3], [-3, 0, 7])
          .node('Cast', ['f'], ['f_i64'], { to: attr.int(7) })
          .node('Cast', ['f'], ['f_i32'], { to: attr.int(6) })
          .node('Cast', ['f'], ['f_bool'], { to: attr.int(9) })
          .node('Cast', ['i'], ['i_f'], { to: attr.int(1) })
          .node('Cast', ['i'], ['i_u8'], { to: attr.int(2) }),
      outputs: { f_i64: ['int64', 1], f_i32: ['int32', 1], f_bool: ['bool', 1], i_f: ['float32', 1], i_u8: ['uint8', 1] },
    }));

  it('Range with int64 and float32 operands, up and down', () =>
    expectFoldsLikeOrt({
      build: (b) => {
        I64(b, 's', [], [10]);
        I64(b, 'l', [], [1]);
        I64(b, 'd', [], [-3]);
        return b.initializer('fs', [], Float32Array.of(0.5))
          .initializer('fl', [], Float32Array.of(3))
          .initializer('fd', [], Float32Array.of(0.75))
          .node('Range', ['s', 'l', 'd'], ['down'])
          .node('Range', ['fs', 'fl', 'fd'], ['up']);
      },
      outputs: { down: ['int64', 1], up: ['float32', 1] },
    }));

  it('ConstantOfShape with the default value and an int64 value', () =>
    expectFoldsLikeOrt({
      build: (b) => {
        I64(b, 'shape', [2], [2, 3]);
        return b.node('ConstantOfShape', ['shape'], ['zeros']).node('ConstantOfShape', ['shape'], ['sevens'], { value: attr.tensor('int64', [1], [7]) });
      },
      outputs: { zeros: ['float32', 2], sevens: ['int64', 2] },
    }));

  it('Add, Sub, Mul, Div on int64 with broadcasting (integer Div of negatives)', () =>
    expectFoldsLikeOrt({
      build: (b) => {
        I64(b, 'a', [2, 3], [-7, -6, 7, 9, 0, 5]);
        I64(b, 'b', [3], [2, -4, 3]);
        return b.node('Add', ['a', 'b'], ['add']).node('Sub', ['a', 'b'], ['sub']).node('Mul', ['a', 'b'], ['mul']).node('Div', ['a', 'b'], ['div']);
      },
      outputs: { add: ['int64', 2], sub: ['int64', 2], mul: ['int64', 2], div: ['int64', 2] },
    }));

  it('Mul and Div on float32 constants round like float32 arithmetic', () =>
    expectFoldsLikeOrt({
      build: (b) =>
        b.initializer('a', [3], Float32Array.of(0.1, 1 / 3, 1e-3))
          .initializer('b', [1], Float32Array.of(3))
          .node('Mul', ['a', 'b'], ['mul'])
          .node('Div', ['a', 'b'], ['div']),
      outputs: { mul: ['float32', 1], div: ['float32', 1] },
    }));

  it('a whole exporter shape chain: Shape -> Gather -> Unsqueeze -> Concat -> Cast', () =>
    expectFoldsLikeOrt({
      build: (b) => {
        I64(b, 'i', [], [1]);
        I64(b, 'ax', [1], [0]);
        I64(b, 'rest', [1], [-1]);
        return b.initializer('x', [2, 6, 4], new Float32Array(48))
          .node('Shape', ['x'], ['s'])
          .node('Gather', ['s', 'i'], ['c'])
          .node('Unsqueeze', ['c', 'ax'], ['c1'])
          .node('Concat', ['c1', 'rest'], ['target'], { axis: attr.int(0) })
          .node('Cast', ['target'], ['as_float'], { to: attr.int(1) });
      },
      outputs: { target: ['int64', 1], as_float: ['float32', 1] },
    }));
});
