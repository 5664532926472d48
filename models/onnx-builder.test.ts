import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { ModelBuilder, attr } from './onnx-builder.ts';
import { runOrt } from '../test/helpers/ort.ts';

const { onnx } = onnxProto;

describe('ModelBuilder', () => {
  it('builds an Add model that onnxruntime runs', async () => {
    const bytes = new ModelBuilder({ opset: 13 })
      .input('x', [2, 2])
      .initializer('b', [2], new Float32Array([10, 20]))
      .node('Add', ['x', 'b'], ['y'])
      .output('y', [2, 2])
      .toBytes();
    const out = await runOrt(bytes, { x: { data: new Float32Array([1, 2, 3, 4]), dims: [2, 2] } });
    expect(out.y.dims).toEqual([2, 2]);
    expect(Array.from(out.y.data)).toEqual([11, 22, 13, 24]);
  });

  it('builds a Conv with pads and strides whose result matches a hand computation', async () => {
    // 1x1x3x3 input 1..9, one 2x2 kernel of ones, pad 1 on every side, stride 2: the padded 5x5 map has windows at
    // rows/cols 0-1 and 2-3, i.e. input row/col 0 alone, then input rows/cols 1-2.
    const bytes = new ModelBuilder({ opset: 11 })
      .input('x', [1, 1, 3, 3])
      .initializer('w', [1, 1, 2, 2], new Float32Array([1, 1, 1, 1]), { storage: 'float_data' })
      .initializer('b', [1], new Float32Array([0.5]))
      .node('Conv', ['x', 'w', 'b'], ['y'], {
        kernel_shape: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), strides: attr.ints([2, 2]),
      })
      .output('y', [1, 1, 2, 2])
      .toBytes();
    const x = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = await runOrt(bytes, { x: { data: x, dims: [1, 1, 3, 3] } });
    // 1 | 2+3 / 4+7 | 5+6+8+9, each plus the 0.5 bias.
    expect(Array.from(out.y.data)).toEqual([1.5, 5.5, 11.5, 28.5]);
  });

  it('writes every attribute type, metadata, producer and opsets', () => {
    const b = new ModelBuilder({ opset: [{ domain: '', version: 9 }, { domain: 'com.example', version: 1 }], producerName: 'p', docString: 'd' })
      .input('x', ['batch', 4])
      .node('Custom', ['x', ''], ['y'], {
        i: attr.int(-3), is: attr.ints([1, 2]), f: attr.float(0.25), fs: attr.floats([0.5, 1.5]), s: attr.string('héllo'),
      }, { name: 'n0', domain: 'com.example' })
      .output('y', ['batch', 4])
      .metadata('stand_in', 'true');
    const m = onnx.ModelProto.decode(b.toBytes());
    expect(m.producerName).toBe('p');
    expect(m.docString).toBe('d');
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 9], ['com.example', 1]]);
    expect(m.metadataProps.map((p) => [p.key, p.value])).toEqual([['stand_in', 'true']]);
    const graph = m.graph!;
    expect(graph.input?.[0].type?.tensorType?.shape?.dim?.[0].dimParam).toBe('batch');
    const n = graph.node![0];
    expect([n.name, n.domain, n.opType, n.input]).toEqual(['n0', 'com.example', 'Custom', ['x', '']]);
    const a = Object.fromEntries((n.attribute ?? []).map((x) => [x.name ?? '', x]));
    const T = onnx.AttributeProto.AttributeType;
    expect([a.i.type, Number(a.i.i)]).toEqual([T.INT, -3]);
    expect([a.is.type, (a.is.ints ?? []).map(Number)]).toEqual([T.INTS, [1, 2]]);
    expect([a.f.type, a.f.f]).toEqual([T.FLOAT, 0.25]);
    expect([a.fs.type, a.fs.floats]).toEqual([T.FLOATS, [0.5, 1.5]]);
    expect([a.s.type, new TextDecoder().decode(a.s.s ?? new Uint8Array())]).toEqual([T.STRING, 'héllo']);
  });

  it('rejects a name used twice and a tensor whose data does not fit its dims', () => {
    const b = new ModelBuilder({ opset: 13 }).input('x', [1]);
    expect(() => b.initializer('x', [1], new Float32Array(1))).toThrow(/already/);
    expect(() => b.initializer('w', [2, 2], new Float32Array(3))).toThrow(/need 4 values/);
  });
});
