/** @module Reading input `.pb` files and writing output `.pb` files (ONNX TensorProto, float32 raw_data). */
import { readFile, writeFile } from 'node:fs/promises';
import { decodeTensorBytes, encodeFloatTensor } from '../engine/onnx/tensor.ts';
import { InvalidInputError } from '../engine/errors.ts';
import type { ConstTensor, DataType } from '../engine/graph.ts';
import type { Feed } from '../engine/session.ts';

export interface TensorFile<T> {
  /** The name stored in the TensorProto (may be empty). */
  name: string;
  dims: number[];
  data: T;
}

export type FloatTensorFile = TensorFile<Float32Array>;

async function readTensor(path: string, what: string): Promise<{ name: string; tensor: ConstTensor }> {
  return decodeTensorBytes(new Uint8Array(await readFile(path)), `${what} (${path})`);
}

/** Reads an expected float output. Integer and bool tensors are rejected: our outputs are float32. */
export async function readFloatTensor(path: string, what: string): Promise<FloatTensorFile> {
  const { name, tensor } = await readTensor(path, what);
  if (!tensor.floats) throw new InvalidInputError(`${what} (${path}) is a ${tensor.dataType} tensor; float32 is expected`);
  return { name, dims: tensor.dims, data: tensor.floats };
}

/** A tensor's values as the typed array a session feed of its type takes. */
function feedOf(t: ConstTensor): Feed | undefined {
  switch (t.dataType) {
    case 'float32': return t.floats!;
    case 'int64': return BigInt64Array.from(t.ints!, (v) => BigInt(v));
    case 'int32': return Int32Array.from(t.ints!);
    case 'uint8': case 'bool': return Uint8Array.from(t.ints!);
    default: return undefined;
  }
}

/**
 * Reads the TensorProto feeding a model input of element type `type`. A tensor of another type is rejected
 * rather than converted: a silent cast hides a wrong file.
 */
export async function readInputTensor(path: string, what: string, type: DataType): Promise<TensorFile<Feed>> {
  const { name, tensor } = await readTensor(path, what);
  const data = tensor.dataType === type ? feedOf(tensor) : undefined;
  if (!data) throw new InvalidInputError(`${what} (${path}) is a ${tensor.dataType} tensor; the model declares ${type}`);
  return { name, dims: tensor.dims, data };
}

export async function writeFloatTensor(path: string, name: string, dims: readonly number[], data: Float32Array): Promise<void> {
  await writeFile(path, encodeFloatTensor(name, dims, data));
}
