/**
 * @module Float32 TensorProto <-> bytes, the format of ONNX backend-test `input_0.pb` / `output_0.pb` files.
 */
import onnxProto, { type onnx as proto } from 'onnx-proto';

// onnx-proto is CommonJS assigning `module.exports`; Node's ESM loader only exposes it as the default export.
const { onnx } = onnxProto;

/** Where a float tensor's values go: `raw_data` (little-endian bytes, what exporters write) or `float_data`. */
export type FloatStorage = 'raw' | 'float_data';

export interface DecodedTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

const LITTLE_ENDIAN = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

function littleEndianBytes(data: Float32Array): Uint8Array {
  // The common case is a plain copy; the per-value loop only runs on a big-endian host (and is slow for VGG).
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

function checkCount(name: string, dims: readonly number[], n: number): void {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== n) throw new Error(`tensor ${name}: dims [${dims.join(', ')}] need ${count} values, got ${n}`);
}

/** The TensorProto message for a float32 tensor. */
export function floatTensorProto(name: string, dims: readonly number[], data: Float32Array, storage: FloatStorage = 'raw'): proto.TensorProto {
  checkCount(name, dims, data.length);
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: onnx.TensorProto.DataType.FLOAT,
    ...(storage === 'raw' ? { rawData: littleEndianBytes(data) } : { floatData: Array.from(data) }),
  });
}

/** The TensorProto message for an int64 tensor (Reshape shapes and the like), stored in `int64_data`. */
export function int64TensorProto(name: string, dims: readonly number[], data: readonly number[]): proto.TensorProto {
  checkCount(name, dims, data.length);
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...data] });
}

/** Element types a test or stand-in model may give a tensor besides float32 (TensorProto.DataType names). */
export type ElementType = 'float32' | 'int64' | 'int32' | 'uint8' | 'bool';

const TYPE_CODES: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

export function elementTypeCode(type: ElementType): number {
  return TYPE_CODES[type];
}

/** The TensorProto message for a tensor of any `ElementType`, in the typed repeated field ONNX stores it in. */
export function typedTensorProto(name: string, type: ElementType, dims: readonly number[], data: readonly number[]): proto.TensorProto {
  checkCount(name, dims, data.length);
  if (type === 'float32') return floatTensorProto(name, dims, Float32Array.from(data), 'float_data');
  if (type === 'int64') return int64TensorProto(name, dims, data);
  // int32, uint8 and bool all live in int32_data.
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: TYPE_CODES[type], int32Data: [...data] });
}

export function encodeTensorProto(name: string, dims: readonly number[], data: Float32Array, storage: FloatStorage = 'raw'): Uint8Array {
  return onnx.TensorProto.encode(floatTensorProto(name, dims, data, storage)).finish();
}

/** Decodes a float32 TensorProto from either storage; other element types are rejected, not converted. */
export function decodeTensorProto(bytes: Uint8Array): DecodedTensor {
  const t = onnx.TensorProto.decode(bytes);
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) {
    throw new Error(`tensor ${t.name}: data type ${t.dataType} is not float32`);
  }
  const dims = t.dims.map(toNumber);
  let data: Float32Array;
  if (t.rawData && t.rawData.length > 0) {
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    data = new Float32Array(t.rawData.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
  } else {
    data = Float32Array.from(t.floatData);
  }
  checkCount(t.name, dims, data.length);
  return { name: t.name, dims, data };
}
