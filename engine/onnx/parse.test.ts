import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { ModelBuilder, attr } from '../../models/onnx-builder.ts';
import { mulberry32 } from '../../models/prng.ts';
import { randomFloat32 } from '../../test/helpers/random.ts';
import { ModelLoadError } from '../errors.ts';
import { MAX_OPSET, MIN_OPSET, parseModel } from './parse.ts';
import { decodeTensorBytes } from './tensor.ts';

const { onnx } = onnxProto;

function smallModel(opset = 13, storage: 'raw' | 'float_data' = 'raw', metadata = true): Uint8Array {
  const b = new ModelBuilder({ opset, floatStorage: storage })
    .input('x', [1, 2, 4, 4])
    .output('y', [1, 3, 4, 4])
    .initializer('W', [3, 2, 1, 1], randomFloat32(6, 1))
    .initializer('B', [3], randomFloat32(3, 2))
    .node('Conv', ['x', 'W', 'B'], ['c'], { kernel_shape: attr.ints([1, 1]) }, { name: 'conv' })
    .node('Relu', ['c'], ['y'], {}, { name: 'relu' });
  if (metadata) b.metadata('stand_in', 'true');
  return b.toBytes();
}

function expectLoadError(bytes: Uint8Array, message?: RegExp): ModelLoadError {
  let error: unknown;
  try {
    parseModel(bytes);
  } catch (e) {
    error = e;
  }
  expect(error, `parseModel accepted ${bytes.length} bytes`).toBeInstanceOf(ModelLoadError);
  const e = error as ModelLoadError;
  expect(e.code).toBe('model_invalid');
  expect(e.message.length).toBeGreaterThan(20);
  if (message) expect(e.message).toMatch(message);
  return e;
}

describe('parseModel: corrupt input', () => {
  it('should parse the intact model', () => {
    const g = parseModel(smallModel());
    expect(g.nodes.map((n) => n.name)).toEqual(['conv', 'relu']);
    expect(g.inputs).toEqual([{ name: 'x', dataType: 'float32', dims: [1, 2, 4, 4] }]);
    expect(g.metadata.get('stand_in')).toBe('true');
  });

  it('should reject the model truncated at every length with a ModelLoadError that says so', () => {
    // Without metadata_props the graph is the last top-level field, so every cut lands inside a field. (A cut
    // exactly between two top-level fields after the graph leaves a valid, shorter model: protobuf has no
    // length or checksum to tell the difference.)
    const full = smallModel(13, 'raw', false);
    const cuts = [1, 2, 5, 10, Math.floor(full.length / 3), Math.floor(full.length / 2), full.length - 40, full.length - 10, full.length - 1];
    for (let n = 1; n < full.length; n++) {
      const e = expectLoadError(full.subarray(0, n));
      if (cuts.includes(n)) expect(e.message).toMatch(/truncated|not ONNX|opset|holds \d+ values|declares no outputs/);
    }
  });

  it('should reject empty bytes', () => {
    expectLoadError(new Uint8Array(0), /empty/);
  });

  it('should reject random bytes', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const next = mulberry32(seed);
      const bytes = Uint8Array.from({ length: 16 + seed * 13 }, () => Math.floor(next() * 256));
      expectLoadError(bytes);
    }
  });

  it('should reject text that is not a model', () => {
    expectLoadError(new TextEncoder().encode('<html><body>404 Not Found</body></html>\n'));
  });
});

describe('parseModel: opsets', () => {
  it.each([MIN_OPSET, 6, 13, MAX_OPSET])('should accept opset %i', (opset) => {
    expect(parseModel(smallModel(opset)).opset).toBe(opset);
  });

  it.each([MIN_OPSET - 1, MAX_OPSET + 1, 99])('should reject opset %i naming it and the supported range', (opset) => {
    expectLoadError(smallModel(opset), new RegExp(`opset ${opset}\\b.*${MIN_OPSET} to ${MAX_OPSET}`));
  });
});

describe('parseModel: tensors', () => {
  it('should decode raw_data and float_data initializers to the same values', () => {
    const raw = parseModel(smallModel(13, 'raw'));
    const typed = parseModel(smallModel(13, 'float_data'));
    expect(raw.initializers.get('W')!.floats).toEqual(randomFloat32(6, 1));
    expect(typed.initializers.get('W')!.floats).toEqual(randomFloat32(6, 1));
    expect(typed.initializers.get('B')).toEqual(raw.initializers.get('B'));
  });

  it('should decode an int64 Reshape shape from int64_data and from raw_data', () => {
    const viaBuilder = new ModelBuilder({ opset: 13 })
      .input('x', [1, 2, 3, 4])
      .output('y', [1, 24])
      .initializerInt64('shape', [2], [1, -1])
      .node('Reshape', ['x', 'shape'], ['y'])
      .toProto();
    expect(parseModel(onnx.ModelProto.encode(viaBuilder).finish()).initializers.get('shape')).toEqual({ dims: [2], dataType: 'int64', ints: [1, -1] });

    const raw = new Uint8Array(16);
    new DataView(raw.buffer).setBigInt64(0, 1n, true);
    new DataView(raw.buffer).setBigInt64(8, -1n, true);
    viaBuilder.graph!.initializer = [onnx.TensorProto.create({ name: 'shape', dims: [2], dataType: onnx.TensorProto.DataType.INT64, rawData: raw })];
    expect(parseModel(onnx.ModelProto.encode(viaBuilder).finish()).initializers.get('shape')!.ints).toEqual([1, -1]);
  });

  it('should reject an initializer whose data does not fill its dims, naming it', () => {
    const proto = new ModelBuilder({ opset: 13 }).input('x', [1, 2, 4, 4]).output('y', [1, 2, 4, 4]).node('Relu', ['x'], ['y']).toProto();
    proto.graph!.initializer = [onnx.TensorProto.create({ name: 'W', dims: [3, 2], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [1, 2, 3] })];
    expectLoadError(onnx.ModelProto.encode(proto).finish(), /initializer "W".*3 values.*\[3, 2\].*6/);
  });

  it('should decode a float TensorProto file and report a corrupt one as a ModelLoadError', () => {
    const bytes = onnx.TensorProto.encode({ name: 't', dims: [2], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [1.5, -2] }).finish();
    expect(decodeTensorBytes(bytes)).toEqual({ name: 't', tensor: { dims: [2], dataType: 'float32', floats: Float32Array.of(1.5, -2) } });
    expect(() => decodeTensorBytes(bytes.subarray(0, 6), 'input_0.pb')).toThrow(ModelLoadError); // cut inside float_data
  });
});
