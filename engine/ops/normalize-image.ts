/**
 * @module NormalizeImage, an op of the engine's own domain (ENGINE_DOMAIN), not ONNX's: an RGB crop of bytes
 * (uint8 [N, H, W, 3]) to a model's float input, y = (byte * scale - mean[c]) / std[c], NCHW or NHWC
 * (kernel shaders/image/normalize_image.wgsl). `withImageInput` (engine/image-input.ts) puts it in front of a
 * model so that a server sends 1 byte per pixel channel instead of 4 and the GPU normalizes.
 *
 * Attributes: `mean`, `std` (three floats each), `scale` (float), `layout` ("NCHW" or "NHWC").
 */
import normalizeImageWgsl from '../../shaders/image/normalize_image.wgsl';
import { defineKernel } from '../wgsl/kernel.ts';
import { defineParams } from '../wgsl/params.ts';
import { attr } from '../graph.ts';
import { InvalidShapeError, UnsupportedVariantError } from '../errors.ts';
import type { OpDefinition, PlannedNode } from '../kernel.ts';
import { sizeOf } from '../shape/broadcast.ts';
import { labelFor, WORKGROUP_SIZE } from './common.ts';

/** The domain of the engine's own ops: never an ONNX file's, so no model can name them by accident. */
export const ENGINE_DOMAIN = 'ai.webgpu-classifier';

const NORMALIZE_IMAGE = defineKernel({
  wgsl: normalizeImageWgsl,
  family: 'elementwise',
  workgroupSize: WORKGROUP_SIZE,
  params: defineParams({ size: 'u32', pixels: 'u32', planar: 'u32', mul: 'vec4f', add: 'vec4f' }),
  bindings: { x: 'u32', y: 'f32' },
});

function layoutOf(node: PlannedNode): 'NCHW' | 'NHWC' {
  const layout = attr(node, 'layout', 'NCHW');
  if (layout !== 'NCHW' && layout !== 'NHWC') throw new UnsupportedVariantError(node.opType, node.name, `layout "${layout}"; it may be "NCHW" or "NHWC"`);
  return layout;
}

export const normalizeImage: OpDefinition = {
  outputTypes: () => ['float32'],
  inferShapes(ctx) {
    const [n, h, w, c] = ctx.inputShapes[0]!;
    if (ctx.inputShapes[0]!.length !== 4 || c !== 3) throw new InvalidShapeError(`${ctx.node.opType} (node "${ctx.node.name}"): the image must be [N, H, W, 3], got [${ctx.inputShapes[0]}]`);
    return [layoutOf(ctx.node) === 'NCHW' ? [n, 3, h, w] : [n, h, w, 3]];
  },
  createDispatches(ctx) {
    const { node } = ctx;
    const [, h, w] = ctx.inputShapes[0]!;
    const mean = attr(node, 'mean', [0, 0, 0]);
    const std = attr(node, 'std', [1, 1, 1]);
    const scale = attr(node, 'scale', 1);
    const size = sizeOf(ctx.inputShapes[0]!);
    return [NORMALIZE_IMAGE.dispatch({
      label: labelFor('normalize_image', node),
      bindings: { x: { input: 0 }, y: { output: 0 } },
      params: {
        size,
        pixels: h * w,
        planar: layoutOf(node) === 'NCHW' ? 1 : 0,
        mul: [0, 1, 2, 0].map((c) => (c < 3 ? scale / std[c] : 0)),
        add: [0, 1, 2, 0].map((c) => (c < 3 ? -mean[c] / std[c] : 0)),
      },
      invocations: size,
    })];
  },
};
