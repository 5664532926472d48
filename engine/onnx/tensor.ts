/** @module ONNX TensorProto -> ConstTensor (raw_data and the typed repeated fields). */
import onnxProto from 'onnx-proto';
import type { onnx as pb } from 'onnx-proto';
import type { ConstTensor, DataType } from '../graph.ts';
import { ModelLoadError } from '../errors.ts';
import { sizeOf } from '../shape/broadcast.ts';

// onnx-proto is CommonJS assigning `module.exports`: Node's ESM loader (the CLI, bench) only exposes it as the
// default export, so a named import works under vitest but crashes `node --import tsx`.
const { onnx } = onnxProto;

const T = onnx.TensorProto.DataType;

const DATA_TYPES: Record<number, DataType> = {
  [T.FLOAT]: 'float32',
  [T.UINT8]: 'uint8',
  [T.INT8]: 'int8',
  [T.UINT16]: 'uint16',
  [T.INT16]: 'int16',
  [T.INT32]: 'int32',
  [T.INT64]: 'int64',
  [T.STRING]: 'string',
  [T.BOOL]: 'bool',
  [T.FLOAT16]: 'float16',
  [T.DOUBLE]: 'float64',
  [T.UINT32]: 'uint32',
  [T.UINT64]: 'uint64',
};

export function dataTypeName(code: number | null | undefined): DataType {
  return DATA_TYPES[code ?? 0] ?? 'other';
}

/** protobufjs gives int64 as Long objects (when `long` is present) or numbers. */
export function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function bytesOf(raw: Uint8Array): DataView {
  return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Decodes a TensorProto. Float types become Float32Array; integer types become number[]. */
export function decodeTensor(t: pb.ITensorProto, what: string): ConstTensor {
  const dims = (t.dims ?? []).map(toNumber);
  const dataType = dataTypeName(t.dataType);
  const count = sizeOf(dims);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new ModelLoadError(`${what}: tensor data stored in an external file is not supported; save the model with all tensors inside`);
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const expectLength = (n: number, width: number) => {
    if (n !== count) {
      throw new ModelLoadError(`${what}: holds ${n} values but its dims [${dims.join(', ')}] need ${count}${raw ? ` (raw_data of ${raw.length} bytes, ${width} per value)` : ''}`);
    }
  };
  switch (dataType) {
    case 'float32': {
      if (raw) {
        expectLength(raw.length / 4, 4);
        const view = bytesOf(raw);
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
        return { dims, dataType, floats: out };
      }
      const f = t.floatData ?? [];
      expectLength(f.length, 4);
      return { dims, dataType, floats: Float32Array.from(f) };
    }
    case 'float64': {
      if (raw) {
        expectLength(raw.length / 8, 8);
        const view = bytesOf(raw);
        return { dims, dataType, floats: Float32Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true)) };
      }
      const f = t.doubleData ?? [];
      expectLength(f.length, 8);
      return { dims, dataType, floats: Float32Array.from(f) };
    }
    case 'float16': {
      if (raw) {
        expectLength(raw.length / 2, 2);
        const view = bytesOf(raw);
        return { dims, dataType, floats: Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(i * 2, true))) };
      }
      const f = t.int32Data ?? [];
      expectLength(f.length, 2);
      return { dims, dataType, floats: Float32Array.from(f, halfToFloat) };
    }
    case 'int64':
    case 'uint64': {
      if (raw) {
        expectLength(raw.length / 8, 8);
        const view = bytesOf(raw);
        const ints = Array.from({ length: count }, (_, i) => Number(dataType === 'int64' ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true)));
        return { dims, dataType, ints };
      }
      const src = dataType === 'int64' ? (t.int64Data ?? []) : (t.uint64Data ?? []);
      expectLength(src.length, 8);
      return { dims, dataType, ints: src.map(toNumber) };
    }
    case 'int32':
    case 'int16':
    case 'int8':
    case 'uint16':
    case 'uint8':
    case 'bool': {
      const width = { int32: 4, int16: 2, int8: 1, uint16: 2, uint8: 1, bool: 1 }[dataType];
      if (raw) {
        expectLength(raw.length / width, width);
        const view = bytesOf(raw);
        const read = (i: number): number => {
          switch (dataType) {
            case 'int32': return view.getInt32(i * 4, true);
            case 'int16': return view.getInt16(i * 2, true);
            case 'uint16': return view.getUint16(i * 2, true);
            case 'int8': return view.getInt8(i);
            default: return view.getUint8(i);
          }
        };
        return { dims, dataType, ints: Array.from({ length: count }, (_, i) => read(i)) };
      }
      const src = t.int32Data ?? [];
      expectLength(src.length, width);
      return { dims, dataType, ints: [...src] };
    }
    case 'uint32': {
      if (raw) {
        expectLength(raw.length / 4, 4);
        const view = bytesOf(raw);
        return { dims, dataType, ints: Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true)) };
      }
      const src = t.uint64Data ?? [];
      expectLength(src.length, 4);
      return { dims, dataType, ints: src.map(toNumber) };
    }
    default:
      throw new ModelLoadError(`${what}: element type ${dataType} is not supported`);
  }
}

/** Encodes float32 data as a TensorProto (raw_data), the format of ONNX backend-test `.pb` files. */
export function encodeFloatTensor(name: string, dims: readonly number[], data: Float32Array): Uint8Array {
  const raw = new Uint8Array(data.byteLength);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return onnx.TensorProto.encode({ name, dims: [...dims], dataType: T.FLOAT, rawData: raw }).finish();
}

/** Decodes a serialized TensorProto (`input_0.pb`); integer tensors are returned as float32 values. */
export function decodeTensorBytes(bytes: Uint8Array, what = 'tensor'): { name: string; tensor: ConstTensor } {
  let t: pb.TensorProto;
  try {
    t = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new ModelLoadError(`${what}: not a valid ONNX TensorProto (${(e as Error).message})`);
  }
  return { name: t.name ?? '', tensor: decodeTensor(t, what) };
}
