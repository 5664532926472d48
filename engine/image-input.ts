/**
 * @module A prepared model that takes an RGB crop of bytes instead of a float tensor: a NormalizeImage node
 * (engine/ops/normalize-image.ts) goes in front of the graph and computes the old float input on the GPU. A
 * server then sends 1 byte per pixel channel instead of 4 (150,528 bytes for a 224x224 crop, not 602,112).
 */
import { ENGINE_DOMAIN } from './ops/normalize-image.ts';
import { UnsupportedVariantError } from './errors.ts';
import type { PlannedNode } from './kernel.ts';
import type { PreparedModel } from './prepare.ts';
import type { DataType, ValueInfo } from './graph.ts';

/** How the model wants its input computed from the bytes: value = (byte * scale - mean[c]) / std[c]. */
export interface ImageInputSpec {
  /** The float graph input the crop replaces (default: the model's only input). */
  input?: string;
  layout: 'NCHW' | 'NHWC';
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Per byte: 1/255 for inputs in [0, 1], 1 for inputs in [0, 255]. */
  scale: number;
}

/**
 * The model with its float image input replaced by a uint8 [N, H, W, 3] input named `<input>:rgb8`. Only the
 * graph changes; the model's constants and types are shared, so this costs no copy of the weights.
 * @example
 * const model = withImageInput(prepareModel(bytes), { layout: 'NCHW', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], scale: 1 / 255 });
 * await InferenceSession.create(new DeviceModel(device, model)); // feeds { 'data:rgb8': crop }
 */
export function withImageInput(model: PreparedModel, spec: ImageInputSpec): PreparedModel {
  const original = spec.input === undefined && model.inputs.length === 1 ? model.inputs[0] : model.inputs.find((v) => v.name === spec.input);
  const which = spec.input ? `"${spec.input}"` : 'the image input';
  if (!original) throw new UnsupportedVariantError('NormalizeImage', 'image input', `the model has no input ${which} (inputs: ${model.inputs.map((v) => v.name).join(', ')})`);
  const d = original.dims;
  const channels = spec.layout === 'NCHW' ? d[1] : d[3];
  if (original.dataType !== 'float32' || d.length !== 4 || channels !== 3) {
    throw new UnsupportedVariantError('NormalizeImage', original.name, `the input is ${original.dataType} [${d}]; an RGB image in ${spec.layout} is float32 with 3 channels at ${spec.layout === 'NCHW' ? 'axis 1' : 'axis 3'}`);
  }
  const image: ValueInfo = { name: `${original.name}:rgb8`, dataType: 'uint8', dims: spec.layout === 'NCHW' ? [d[0], d[2], d[3], 3] : [...d] };
  const node: PlannedNode = {
    name: 'normalize_image',
    opType: 'NormalizeImage',
    domain: ENGINE_DOMAIN,
    inputs: [image.name],
    outputs: [original.name],
    attributes: new Map<string, number | number[] | string>([
      ['mean', [...spec.mean]],
      ['std', [...spec.std]],
      ['scale', spec.scale],
      ['layout', spec.layout],
    ]),
  };
  return Object.freeze({
    ...model,
    inputs: model.inputs.map((v) => (v === original ? image : v)),
    nodes: [node, ...model.nodes],
    types: new Map<string, DataType>([...model.types, [image.name, 'uint8']]),
  });
}
