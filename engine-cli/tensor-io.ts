/** @module Reading input `.pb` files and writing output `.pb` files (ONNX TensorProto, float32 raw_data). */
import { readFile, writeFile } from 'node:fs/promises';
import { decodeTensorBytes, encodeFloatTensor } from '../engine/onnx/tensor.ts';
import { InvalidInputError } from '../engine/errors.ts';

export interface FloatTensorFile {
  /** The name stored in the TensorProto (may be empty). */
  name: string;
  dims: number[];
  data: Float32Array;
}

/**
 * Reads a float TensorProto. `what` names the model input it feeds, for messages. Integer and bool tensors
 * are rejected rather than converted: the engine's inputs are float32 and a silent cast hides a wrong file.
 */
export async function readFloatTensor(path: string, what: string): Promise<FloatTensorFile> {
  const bytes = new Uint8Array(await readFile(path));
  const { name, tensor } = decodeTensorBytes(bytes, `${what} (${path})`);
  if (!tensor.floats) {
    throw new InvalidInputError(`${what} (${path}) is a ${tensor.dataType} tensor; the engine takes float32 inputs only`);
  }
  return { name, dims: tensor.dims, data: tensor.floats };
}

export async function writeFloatTensor(path: string, name: string, dims: readonly number[], data: Float32Array): Promise<void> {
  await writeFile(path, encodeFloatTensor(name, dims, data));
}
