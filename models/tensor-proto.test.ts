import { describe, expect, it } from 'vitest';
import { decodeTensorProto, encodeTensorProto } from './tensor-proto.ts';
import { ModelBuilder } from './onnx-builder.ts';
import { runOrt } from '../test/helpers/ort.ts';
import { randomFloat32 } from '../test/helpers/random.ts';

describe('TensorProto encode/decode', () => {
  for (const storage of ['raw', 'float_data'] as const) {
    it(`round-trips through ${storage}, bit for bit`, () => {
      const data = new Float32Array([0, -0, 1.5, -3.25e-8, 3.4e38, Infinity, -Infinity, NaN, ...randomFloat32(100, 7, 5)]);
      const back = decodeTensorProto(encodeTensorProto('t', [4, 27], data, storage));
      expect(back.name).toBe('t');
      expect(back.dims).toEqual([4, 27]);
      expect(new Uint32Array(back.data.buffer)).toEqual(new Uint32Array(data.buffer));
    });
  }

  it('round-trips a scalar (no dims, one value)', () => {
    expect(decodeTensorProto(encodeTensorProto('s', [], new Float32Array([2])))).toEqual({ name: 's', dims: [], data: new Float32Array([2]) });
  });

  it('rejects data that does not fit the dims', () => {
    expect(() => encodeTensorProto('t', [2, 2], new Float32Array(5))).toThrow(/need 4 values/);
  });
});

describe('float_data initializers', () => {
  it('load in onnxruntime the same as raw_data ones', async () => {
    const w = randomFloat32(12, 3);
    const x = randomFloat32(12, 4);
    const model = (storage: 'raw' | 'float_data') => new ModelBuilder({ opset: 13, floatStorage: storage })
      .input('x', [3, 4])
      .initializer('w', [3, 4], w)
      .node('Mul', ['x', 'w'], ['y'])
      .output('y', [3, 4])
      .toBytes();
    const expected = Float32Array.from(x, (v, i) => v * w[i]);
    for (const storage of ['raw', 'float_data'] as const) {
      const out = await runOrt(model(storage), { x: { data: x, dims: [3, 4] } });
      expect(out.y.data).toEqual(expected);
    }
  });
});
